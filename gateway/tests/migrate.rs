//! The migration engine in-process over a real simulator (HTTP on loopback)
//! and a real embedded store: the user keeps being served while mail is
//! copied, changes made at the source meanwhile are carried over, cutover
//! switches the primary source, and a message lost after the copy is caught.

#![allow(clippy::unwrap_used)]

use async_graphql::{Request, Variables};
use mailgate_backend::{ChangeRequest, Flag, MailBackend, MailChange, MessageId, Principal, RequestId};
use mailgate_gateway::migrate::{Journal, MigrationOutcome, MigrationPlan, Migrator, Progress};
use mailgate_gateway::zimbra_seed::seed_generated;
use mailgate_native::NativeBackend;
use mailgate_schema::{attach_request_data, build_schema, Directory, MailSchema, SchemaSettings};
use mailgate_zimbra::sim::{Sim, SimConfig, INBOX};
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const LEGACY: &str = "ann@legacy.example";
const MESSAGES: usize = 300;

struct Fx {
    dir: tempfile::TempDir,
    sim: Sim,
    source: Arc<ZimbraBackend>,
    target: Arc<NativeBackend>,
    schema: MailSchema,
    directory: Arc<Directory>,
}

impl Fx {
    async fn new() -> Fx {
        let dir = tempfile::tempdir().unwrap();
        let sim = Sim::new(SimConfig::default()).unwrap();
        sim.add_account(LEGACY, "pw", "Ann").unwrap();
        seed_generated(&sim, LEGACY, MESSAGES).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(sim.clone().serve(listener, std::future::pending()));
        let source = Arc::new(ZimbraBackend::new().unwrap());
        source.add_user("ann", ZimbraSourceConfig { url, account: LEGACY.into(), password: "pw".into() });
        let target = Arc::new(NativeBackend::open_embedded(&dir.path().join("cluster")).await.unwrap());
        let directory = Arc::new(Directory::new(target.clone()).with_source("ann", LEGACY, source.clone()));
        Fx { dir, sim, source, target, schema: build_schema(SchemaSettings::default()), directory }
    }

    async fn migrate(&self, cutover: bool) -> MigrationOutcome {
        let plan = MigrationPlan {
            user: "ann".into(),
            native_address: "ann@mailgate.example".into(),
            cutover,
            page_size: 64,
            concurrency: 4,
        };
        let journal = Journal::open(&self.dir.path().join("migrations/ann.jsonl")).unwrap();
        Migrator::new(self.source.as_ref(), self.target.as_ref(), plan, journal, Progress::new(true))
            .run()
            .await
            .unwrap()
    }

    async fn gql(&self, query: &str, vars: Value) -> async_graphql::Response {
        let req = Request::new(query).variables(Variables::from_json(vars));
        self.schema.execute(attach_request_data(req, Some(Principal::user("ann")), self.directory.clone())).await
    }

    async fn primary_total(&self) -> (String, u64) {
        let res = self.gql("{ me { sources { name primary } mailboxes { totalCount } } }", json!({})).await;
        assert!(res.errors.is_empty(), "{:?}", res.errors);
        let data = res.data.into_json().unwrap();
        let primary = data["me"]["sources"].as_array().unwrap().iter().find(|s| s["primary"] == true).unwrap().clone();
        let total = data["me"]["mailboxes"].as_array().unwrap().iter().map(|m| m["totalCount"].as_u64().unwrap()).sum();
        (primary["name"].as_str().unwrap().to_owned(), total)
    }
}

fn native_ids(journal: &Path) -> Vec<MessageId> {
    let text = std::fs::read_to_string(journal).unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["native_id"].as_str().map(|s| MessageId(s.to_owned())))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_is_served_throughout_and_cut_over_after_a_clean_verification() {
    let fx = Fx::new().await;

    // Reads through the schema run for the whole copy and never fail; the
    // user's default source stays the legacy one until cutover.
    let copying = Arc::new(AtomicBool::new(true));
    let reader = {
        let (schema, directory, copying) = (fx.schema.clone(), fx.directory.clone(), copying.clone());
        tokio::spawn(async move {
            let mut served = 0u32;
            while copying.load(Ordering::SeqCst) {
                let req = Request::new("{ messages(username: \"ann\", limit: 20) { id subject sources } }");
                let res =
                    schema.execute(attach_request_data(req, Some(Principal::user("ann")), directory.clone())).await;
                assert!(res.errors.is_empty(), "a read failed during the copy: {:?}", res.errors);
                let data = res.data.into_json().unwrap();
                let page = data["messages"].as_array().unwrap();
                // Before the native account exists the user is legacy-only; after it, legacy stays primary.
                assert_eq!(page.len(), 20);
                assert!(page.iter().all(|m| m["sources"] == json!([LEGACY])), "served from {page:?}");
                served += 1;
            }
            served
        })
    };
    let first = fx.migrate(false).await;
    copying.store(false, Ordering::SeqCst);
    let served = reader.await.unwrap();
    assert!(served > 0, "no read ran during the copy");
    assert!(first.report.is_clean(), "{}", first.report);
    assert_eq!(first.copied, MESSAGES as u64);
    assert!(!first.cut_over);
    assert_eq!(fx.primary_total().await, (LEGACY.to_owned(), MESSAGES as u64));
    assert!(first.report.folders.iter().map(|f| f.verified).sum::<u64>() == MESSAGES as u64);

    // Meanwhile at the source: a message is read and flagged, another arrives.
    let admin = Principal::admin("t");
    let page = fx
        .source
        .query(
            &admin,
            "ann",
            &mailgate_backend::MessageQuery {
                mailbox: None,
                filter: None,
                sort: mailgate_backend::Sort::default(),
                offset: 0,
                limit: 1,
            },
        )
        .await
        .unwrap();
    let changed = page.items[0].id.clone();
    for (flag, value) in [(Flag::Flagged, true), (Flag::Seen, !page.items[0].flags.seen)] {
        let change = MailChange::SetFlags { ids: vec![changed.clone()], flags: vec![flag], value };
        fx.source
            .apply(&admin, "ann", ChangeRequest { request_id: RequestId(format!("t-{flag:?}")), change })
            .await
            .unwrap();
    }
    let late = b"From: late@x\r\nTo: ann@legacy.example\r\nSubject: Arrived during the migration\r\nMessage-ID: <late@x>\r\n\r\nhi\r\n";
    fx.sim.add_message(LEGACY, INBOX, late, "u", 1_900_000_000_000).unwrap();

    let second = fx.migrate(true).await;
    assert!(second.report.is_clean(), "{}", second.report);
    assert_eq!(second.copied, 1, "only the late message is copied again");
    assert!(second.report.reconciled >= 1, "the flag change was carried over");
    assert!(second.cut_over);
    assert_eq!(fx.primary_total().await, ("ann@mailgate.example".to_owned(), MESSAGES as u64 + 1));
    // The newest message is the late one, now served natively.
    let res = fx.gql("{ messages(username: \"ann\", limit: 1) { subject sources } }", json!({})).await;
    assert!(res.errors.is_empty(), "{:?}", res.errors);
    let newest = res.data.into_json().unwrap()["messages"][0].clone();
    assert_eq!(newest, json!({"subject": "Arrived during the migration", "sources": ["ann@mailgate.example"]}));

    // The legacy source is read-only now: its messages read, writes are refused.
    let res =
        fx.gql(&format!("{{ messages(username: \"ann\", source: \"{LEGACY}\", limit: 1) {{ id }} }}"), json!({})).await;
    let legacy_id = res.data.into_json().unwrap()["messages"][0]["id"].clone();
    let res = fx
        .gql("mutation($id: ID!) { setFlags(input: {ids: [$id], flagged: true}) { state } }", json!({"id": legacy_id}))
        .await;
    assert_eq!(res.errors[0].extensions.as_ref().unwrap().get("code").unwrap().to_string(), "\"FORBIDDEN\"");

    // A message lost from the native store after the copy is a mismatch, and
    // a run again does not paper over it.
    let lost = native_ids(&fx.dir.path().join("migrations/ann.jsonl"))[7].clone();
    for _ in 0..2 {
        let change = MailChange::Delete { ids: vec![lost.clone()] };
        fx.target.apply(&admin, "ann", ChangeRequest { request_id: RequestId(uuid()), change }).await.unwrap();
    }
    let third = fx.migrate(true).await;
    assert!(!third.report.is_clean());
    let bad: Vec<_> = third.report.mismatches().collect();
    assert_eq!(bad.len(), 1, "{}", third.report);
    assert_eq!(bad[0].native_id.as_ref(), Some(&lost));
    assert_eq!(bad[0].problem.as_deref(), Some("missing from the native store"));
    assert!(third.report.to_string().contains("MISMATCH"));
    fx.target.shutdown().await;
}

fn uuid() -> String {
    format!("{:032x}", rand_u128())
}

fn rand_u128() -> u128 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos()
}
