//! The `Address` type.

use crate::types::enums::AddressType;
use async_graphql::Object;
use mailgate_backend::Address;

/// An address as a GraphQL object.
pub struct AddressObj(pub Address);

/// One mailbox address from a message header.
#[Object(name = "Address")]
impl AddressObj {
    /// The address, e.g. `jdoe@example.com`.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// The display name, decoded; null when the header gave none.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The header the address came from: `FROM`, `SENDER`, `REPLY_TO`, `TO`, `CC` or `BCC`.
    #[graphql(name = "type")]
    async fn kind(&self) -> AddressType {
        self.0.kind.into()
    }
}
