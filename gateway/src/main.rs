//! The `mailgate` command.
fn main() {}
