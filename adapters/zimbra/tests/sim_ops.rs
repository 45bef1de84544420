//! The simulator operation by operation on the wire (SOAP 1.2 XML and JSON):
//! MsgAction, CreateFolder, FolderAction, Search, GetConv, GetFolder, a JSON
//! BatchRequest, and `--data` persistence across a restart.

#![allow(clippy::unwrap_used)]

use mailgate_backend::{MailBackend, MessageId, Principal};
use mailgate_zimbra::sim::{Sim, SimConfig, INBOX, SENT};
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use serde_json::{json, Value};

const ACCOUNT: &str = "andy@example.com";

fn mail(n: u32, refs: &str) -> Vec<u8> {
    format!(
        "From: Bea <bea@example.com>\r\nTo: {ACCOUNT}\r\nSubject: Note {n}\r\nMessage-ID: <n{n}@x>\r\n{refs}\r\nBody {n}\r\n"
    )
    .into_bytes()
}

/// A served simulator with three messages (256, 257 a reply to 256 that gives
/// their conversation id 258, 259 in Sent) and a token.
struct Wire {
    sim: Sim,
    url: String,
    token: String,
    http: reqwest::Client,
}

impl Wire {
    async fn start(sim: Sim) -> Wire {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(sim.clone().serve(listener, std::future::pending()));
        let mut w = Wire { sim, url, token: String::new(), http: reqwest::Client::new() };
        let (_, body) = w
            .call(&format!(
                r#"<AuthRequest xmlns="urn:zimbraAccount"><account by="name">{ACCOUNT}</account><password>pw</password></AuthRequest>"#
            ))
            .await;
        let start = body.find("<authToken>").unwrap() + "<authToken>".len();
        w.token = body[start..start + body[start..].find('<').unwrap()].to_owned();
        w
    }

    fn seeded() -> Sim {
        let sim = Sim::new(SimConfig::default()).unwrap();
        sim.add_account(ACCOUNT, "pw", "Andy").unwrap();
        sim.add_message(ACCOUNT, INBOX, &mail(1, ""), "u", 1_000).unwrap();
        sim.add_message(ACCOUNT, INBOX, &mail(2, "In-Reply-To: <n1@x>\r\nReferences: <n1@x>\r\n"), "u", 2_000).unwrap();
        sim.add_message(ACCOUNT, SENT, &mail(3, ""), "s", 3_000).unwrap();
        sim
    }

    /// One SOAP 1.2 request with the token in the header; (HTTP status, body).
    async fn call(&self, body: &str) -> (u16, String) {
        let header = if self.token.is_empty() {
            String::new()
        } else {
            format!(
                r#"<soap:Header><context xmlns="urn:zimbra"><authToken>{}</authToken></context></soap:Header>"#,
                self.token
            )
        };
        let envelope = format!(
            r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">{header}<soap:Body>{body}</soap:Body></soap:Envelope>"#
        );
        let resp = self
            .http
            .post(format!("{}/service/soap", self.url))
            .header("content-type", "application/soap+xml")
            .body(envelope)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    async fn json(&self, body: Value) -> (u16, Value) {
        let envelope = json!({"Header": {"context": {"_jsns": "urn:zimbra", "authToken": self.token}}, "Body": body});
        let resp = self
            .http
            .post(format!("{}/service/soap", self.url))
            .header("content-type", "application/json")
            .body(envelope.to_string())
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), serde_json::from_str(&resp.text().await.unwrap()).unwrap())
    }

    /// `f` and `l` of a message, from GetMsg.
    async fn msg(&self, id: u32) -> (String, String) {
        let (status, v) =
            self.json(json!({"GetMsgRequest": {"_jsns": "urn:zimbraMail", "m": {"id": id.to_string()}}})).await;
        assert_eq!(status, 200, "{v}");
        let m = &v["Body"]["GetMsgResponse"]["m"][0];
        (m["f"].as_str().unwrap_or_default().to_owned(), m["l"].as_str().unwrap().to_owned())
    }
}

#[tokio::test]
async fn msg_action_ops_answer_with_the_ids_that_succeeded() {
    let w = Wire::start(Wire::seeded()).await;
    let (status, body) =
        w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256,257" op="read"/></MsgActionRequest>"#).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(r#"<MsgActionResponse xmlns="urn:zimbraMail">"#)
            && body.contains(r#"id="256,257""#)
            && body.contains(r#"op="read""#),
        "{body}"
    );
    assert_eq!(w.msg(256).await, (String::new(), "2".into()));
    w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256" op="!read"/></MsgActionRequest>"#).await;
    w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256" op="flag"/></MsgActionRequest>"#).await;
    assert_eq!(w.msg(256).await.0, "fu", "flags in Zimbra's order");
    let (_, body) =
        w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256" op="!flag"/></MsgActionRequest>"#).await;
    assert!(body.contains(r#"op="!flag""#), "the op is echoed with its !: {body}");
    assert_eq!(w.msg(256).await.0, "u");
    w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256" op="move" l="5"/></MsgActionRequest>"#).await;
    assert_eq!(w.msg(256).await.1, "5");
    // trash with tcon="-t": only what is not in Trash yet.
    w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256" op="trash"/></MsgActionRequest>"#).await;
    assert_eq!(w.msg(256).await.1, "3");
    let (_, body) = w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256,259" op="trash" tcon="-t"/></MsgActionRequest>"#).await;
    assert!(body.contains(r#"id="259""#), "256 is already in Trash: {body}");
    let (_, body) =
        w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256" op="delete"/></MsgActionRequest>"#).await;
    assert!(body.contains(r#"id="256""#), "{body}");
    let (status, v) = w.json(json!({"GetMsgRequest": {"_jsns": "urn:zimbraMail", "m": {"id": "256"}}})).await;
    assert_eq!(status, 500);
    assert_eq!(v["Body"]["Fault"]["Detail"]["Error"]["Code"]["_content"], "mail.NO_SUCH_MSG", "{v}");
    let (status, body) =
        w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="257" op="explode"/></MsgActionRequest>"#).await;
    assert_eq!(status, 500);
    assert!(body.contains("service.INVALID_REQUEST") && body.contains("unknown operation: explode"), "{body}");
    let (status, body) = w
        .call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="257" op="move" l="999"/></MsgActionRequest>"#)
        .await;
    assert_eq!(status, 500);
    assert!(body.contains("mail.NO_SUCH_FOLDER") && body.contains("no such folder id: 999"), "{body}");
}

#[tokio::test]
async fn folders_are_created_renamed_moved_and_deleted() {
    let w = Wire::start(Wire::seeded()).await;
    let (status, body) = w.call(r#"<CreateFolderRequest xmlns="urn:zimbraMail"><folder name="Projects" l="1" view="message"/></CreateFolderRequest>"#).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(r#"id="260""#) && body.contains(r#"name="Projects""#) && body.contains(r#"l="1""#),
        "ids from 256 go on: {body}"
    );
    let (status, body) = w
        .call(r#"<CreateFolderRequest xmlns="urn:zimbraMail"><folder name="projects" l="1"/></CreateFolderRequest>"#)
        .await;
    assert_eq!(status, 500);
    assert!(
        body.contains("mail.ALREADY_EXISTS") && body.contains("object with that name already exists: projects"),
        "{body}"
    );
    let (status, body) = w.call(r#"<CreateFolderRequest xmlns="urn:zimbraMail"><folder name="Projects" l="1" fie="1"/></CreateFolderRequest>"#).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"id="260""#), "fie=1 returns the existing folder: {body}");
    w.call(r#"<CreateFolderRequest xmlns="urn:zimbraMail"><folder name="Apollo" l="260"/></CreateFolderRequest>"#)
        .await;

    let (_, body) = w.call(r#"<FolderActionRequest xmlns="urn:zimbraMail"><action id="261" op="rename" name="Hermes"/></FolderActionRequest>"#).await;
    assert!(body.contains(r#"<action"#) && body.contains(r#"op="rename""#), "{body}");
    w.call(r#"<FolderActionRequest xmlns="urn:zimbraMail"><action id="261" op="move" l="2"/></FolderActionRequest>"#)
        .await;
    let (_, tree) = w.call(r#"<GetFolderRequest xmlns="urn:zimbraMail"/>"#).await;
    assert!(tree.contains(r#"id="1""#) && tree.contains(r#"name="USER_ROOT""#), "{tree}");
    let hermes = &tree[tree.find(r#"name="Hermes""#).unwrap() - 200..tree.find(r#"name="Hermes""#).unwrap() + 200];
    assert!(hermes.contains(r#"l="2""#), "moved under Inbox: {hermes}");
    let (status, body) = w.call(r#"<FolderActionRequest xmlns="urn:zimbraMail"><action id="2" op="rename" name="X"/></FolderActionRequest>"#).await;
    assert_eq!(status, 500);
    assert!(body.contains("mail.IMMUTABLE_OBJECT"), "system folders refuse: {body}");
    w.call(r#"<FolderActionRequest xmlns="urn:zimbraMail"><action id="261" op="delete"/></FolderActionRequest>"#).await;
    let (_, tree) = w.call(r#"<GetFolderRequest xmlns="urn:zimbraMail"/>"#).await;
    assert!(!tree.contains("Hermes"), "{tree}");
}

#[tokio::test]
async fn search_pages_and_conversations() {
    let w = Wire::start(Wire::seeded()).await;
    let (status, body) = w.call(r#"<SearchRequest xmlns="urn:zimbraMail" types="message" limit="1" offset="0" sortBy="dateAsc"><query>in:inbox</query></SearchRequest>"#).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(r#"sortBy="dateAsc""#) && body.contains(r#"offset="0""#) && body.contains(r#"more="1""#),
        "{body}"
    );
    assert!(body.contains(r#"<m id="256""#) && !body.contains(r#"id="257""#), "{body}");
    let (_, body) = w.call(r#"<SearchRequest xmlns="urn:zimbraMail" types="message" limit="10" offset="1" sortBy="dateAsc"><query>in:inbox</query></SearchRequest>"#).await;
    assert!(body.contains(r#"<m id="257""#) && body.contains(r#"more="0""#), "{body}");
    let (_, body) = w.call(r#"<SearchRequest xmlns="urn:zimbraMail" types="message"><query>is:anywhere subject:"Note 3"</query></SearchRequest>"#).await;
    assert!(body.contains(r#"<m id="259""#) && !body.contains(r#"<m id="256""#), "{body}");
    let (status, body) = w.call(r#"<SearchRequest xmlns="urn:zimbraMail" types="message" sortBy="sideways"><query>x</query></SearchRequest>"#).await;
    assert_eq!(status, 500);
    assert!(body.contains("service.INVALID_REQUEST"), "{body}");

    // 256 and 257 share a real conversation (an id of its own); 259 is virtual (-259).
    let (_, v) = w.json(json!({"GetMsgRequest": {"_jsns": "urn:zimbraMail", "m": {"id": "257"}}})).await;
    let cid = v["Body"]["GetMsgResponse"]["m"][0]["cid"].as_str().unwrap().to_owned();
    assert!(cid.parse::<u32>().unwrap() >= 256, "{cid}");
    let (_, body) =
        w.call(&format!(r#"<GetConvRequest xmlns="urn:zimbraMail"><c id="{cid}"/></GetConvRequest>"#)).await;
    assert!(body.contains(&format!(r#"id="{cid}""#)) && body.contains(r#"n="2""#), "{body}");
    let (_, body) = w.call(r#"<GetConvRequest xmlns="urn:zimbraMail"><c id="-259"/></GetConvRequest>"#).await;
    assert!(body.contains(r#"id="-259""#) && body.contains(r#"<m id="259""#), "{body}");
    let (status, body) = w.call(r#"<GetConvRequest xmlns="urn:zimbraMail"><c id="-999"/></GetConvRequest>"#).await;
    assert_eq!(status, 500);
    assert!(body.contains("mail.NO_SUCH_CONV") && body.contains("no such conversation: -999"), "{body}");
}

#[tokio::test]
async fn a_json_batch_groups_responses_by_name_with_faults_apart() {
    let w = Wire::start(Wire::seeded()).await;
    let (status, v) = w
        .json(json!({"BatchRequest": {"_jsns": "urn:zimbra", "onerror": "continue", "GetMsgRequest": [
            {"_jsns": "urn:zimbraMail", "requestId": "0", "m": {"id": "256"}},
            {"_jsns": "urn:zimbraMail", "requestId": "1", "m": {"id": "999"}},
            {"_jsns": "urn:zimbraMail", "requestId": "2", "m": {"id": "259"}}
        ], "NoOpRequest": [{"_jsns": "urn:zimbraMail", "requestId": "3"}]}}))
        .await;
    assert_eq!(status, 200, "the batch itself succeeds: {v}");
    let batch = &v["Body"]["BatchResponse"];
    let got = batch["GetMsgResponse"].as_array().unwrap();
    let ids: Vec<(&str, &str)> =
        got.iter().map(|r| (r["requestId"].as_str().unwrap(), r["m"][0]["id"].as_str().unwrap())).collect();
    assert_eq!(ids, vec![("0", "256"), ("2", "259")], "{v}");
    let faults = batch["Fault"].as_array().unwrap();
    assert_eq!(faults.len(), 1, "{v}");
    assert_eq!(faults[0]["requestId"], "1");
    assert_eq!(faults[0]["Detail"]["Error"]["Code"]["_content"], "mail.NO_SUCH_MSG");
    assert_eq!(batch["NoOpResponse"][0]["requestId"], "3");
}

#[tokio::test]
async fn a_simulator_with_a_data_directory_serves_the_same_mailbox_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::open(SimConfig::default(), dir.path()).unwrap();
    sim.add_account(ACCOUNT, "pw", "Andy").unwrap();
    sim.add_message(ACCOUNT, INBOX, &mail(1, ""), "u", 1_000).unwrap();
    sim.add_message(ACCOUNT, INBOX, &mail(2, "References: <n1@x>\r\n"), "u", 2_000).unwrap();
    sim.save().unwrap();
    let w = Wire::start(sim).await;
    // Writes over SOAP are saved as they happen.
    w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="256" op="flag"/></MsgActionRequest>"#).await;
    w.call(r#"<CreateFolderRequest xmlns="urn:zimbraMail"><folder name="Kept" l="1"/></CreateFolderRequest>"#).await;
    w.call(r#"<MsgActionRequest xmlns="urn:zimbraMail"><action id="257" op="move" l="259"/></MsgActionRequest>"#).await;
    let (_, before) = w.call(r#"<NoOpRequest xmlns="urn:zimbraMail"/>"#).await;
    let change = |body: &str| body[body.find("<change token=\"").unwrap()..].split('"').nth(1).unwrap().to_owned();
    let raw_before = w
        .http
        .get(format!("{}/service/home/~/?auth=co&id=257", w.url))
        .header("cookie", format!("ZM_AUTH_TOKEN={}", w.token))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    drop(w);

    let reopened = Sim::open(SimConfig::default(), dir.path()).unwrap();
    assert!(reopened.has_account(ACCOUNT));
    let w = Wire::start(reopened).await;
    assert_eq!(w.msg(256).await, ("fu".to_owned(), "2".to_owned()));
    assert_eq!(w.msg(257).await.1, "259");
    let (_, after) = w.call(r#"<NoOpRequest xmlns="urn:zimbraMail"/>"#).await;
    assert_eq!(change(&after), change(&before), "the change counter survives");
    let (_, body) = w
        .call(r#"<CreateFolderRequest xmlns="urn:zimbraMail"><folder name="Next" l="1"/></CreateFolderRequest>"#)
        .await;
    assert!(body.contains(r#"id="260""#), "ids are never reused: {body}");
    let raw_after = w
        .http
        .get(format!("{}/service/home/~/?auth=co&id=257", w.url))
        .header("cookie", format!("ZM_AUTH_TOKEN={}", w.token))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(raw_after, raw_before);
    // The adapter sees the same thread as before the restart.
    let backend = ZimbraBackend::new().unwrap();
    backend.add_user("andy", ZimbraSourceConfig { url: w.url.clone(), account: ACCOUNT.into(), password: "pw".into() });
    let who = Principal::user("andy");
    let got = backend.messages(&who, "andy", &[MessageId("256".into()), MessageId("257".into())]).await.unwrap();
    assert_eq!(got[&MessageId("256".into())].thread_id, got[&MessageId("257".into())].thread_id);

    // Damaged bytes are refused at load, not served.
    let raw_dir = dir.path().join("raw");
    let first = std::fs::read_dir(&raw_dir).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&first, b"garbage").unwrap();
    let err = Sim::open(SimConfig::default(), dir.path()).unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
    let _ = &w.sim;
}
