//! The playground in a real browser: a seeded `mailgate demo` process, and
//! Debian's headless Chromium driven by `tests/browser/playground.mjs`
//! (playwright-core and graphql, pinned in `tests/browser/package-lock.json`).
//! The page must load with no request to any other host, keep the token
//! typed into its field, and show the user's inbox when the Inbox tab runs;
//! every example tab must validate against the served schema. The screenshot
//! is left in the test's temporary directory and copied to
//! `target/playground-screenshot.png`.
//!
//! Needs Node.js 20+, `npm ci` in `tests/browser` and `/usr/bin/chromium`
//! (`.ci/run` installs all three); without them the test fails and says so.

#![allow(clippy::unwrap_used)]

use mailgate_tests::DemoProcess;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// playwright-core 1.65 needs Node.js 20.
const MIN_NODE_MAJOR: u32 = 20;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../playground/src/examples")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Fails (never skips) when node, the pinned packages or chromium are missing.
fn require_node_packages_and_chromium(dir: &Path) {
    let hint = format!("run `npm ci` in {}", dir.display());
    let version = Command::new("node").arg("--version").output().unwrap_or_else(|err| {
        panic!("the playground browser test needs Node.js {MIN_NODE_MAJOR}+ (`node`: {err}); install it, then {hint}")
    });
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    assert!(major >= MIN_NODE_MAJOR, "the browser test needs Node.js {MIN_NODE_MAJOR}+, found {version:?}");
    for package in ["playwright-core", "graphql"] {
        let manifest = dir.join("node_modules").join(package).join("package.json");
        assert!(
            manifest.exists(),
            "the {package} package is not installed ({} is missing): {hint}",
            manifest.display()
        );
    }
    let browser = chromium();
    assert!(
        browser.exists(),
        "the playground browser test needs Chromium at {} (Debian: `apt-get install -y chromium`; or set CHROMIUM)",
        browser.display()
    );
}

/// `target/` of this build (the test executable is in `target/<profile>/deps`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_playground_runs_the_inbox_in_chromium_and_asks_no_other_host() {
    let dir = browser_dir();
    require_node_packages_and_chromium(&dir);
    let data = tempfile::tempdir().unwrap();
    let demo = DemoProcess::start(data.path()).unwrap();
    let token = demo.tokens["jdoe"].clone();

    // The page as HTTP sees it: HTML that is revalidated, under a policy that
    // lets the browser load only from this origin.
    let page = reqwest::get(format!("{}/", demo.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    let header = |name: &str| page.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "text/html; charset=utf-8");
    assert_eq!(header("cache-control"), "no-cache");
    assert!(
        header("content-security-policy").starts_with("default-src 'self';"),
        "{}",
        header("content-security-policy")
    );
    // Reading the body to its end also ends this connection: the demo's
    // graceful shutdown at the end waits for every open one.
    let html = page.text().await.unwrap();
    assert!(html.contains("<script src=\"/playground/playground-"), "{html}");

    let screenshot = data.path().join("playground.png");
    let status = Command::new("node")
        .arg("playground.mjs")
        .arg(&demo.base)
        .arg(&screenshot)
        .arg(examples_dir())
        .env("MAILGATE_TOKEN", &token)
        .env("MAILGATE_USER", "jdoe")
        .env("CHROMIUM", chromium())
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .unwrap_or_else(|err| panic!("cannot run node playground.mjs: {err}"));
    assert!(status.success(), "the playground browser test failed ({status}); its FAIL lines are above");

    let png =
        std::fs::read(&screenshot).unwrap_or_else(|err| panic!("no screenshot at {}: {err}", screenshot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "the screenshot is not a PNG");
    assert!(png.len() > 20_000, "the screenshot is only {} bytes: a blank page?", png.len());
    let kept = target_dir().join("playground-screenshot.png");
    std::fs::copy(&screenshot, &kept).unwrap();
    println!("screenshot: {} ({} bytes)", kept.display(), png.len());
    demo.stop().unwrap();
}
