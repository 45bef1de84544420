//! The simulator's wire format (SOAP 1.2, 1.1, JSON, faults, tokens, batch,
//! REST, route lookup) and the adapter's token renewal and batching.

#![allow(clippy::unwrap_used)]

use mailgate_backend::{MailBackend, MessageId, Principal};
use mailgate_zimbra::sim::{Sim, SimConfig, INBOX};
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use std::time::Duration;

const RAW: &[u8] = b"From: Bea <bea@example.com>\r\nTo: andy@example.com\r\nSubject: Report\r\nMessage-ID: <r1@x>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nBody here\r\n\
--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n\r\nPDFDATA\r\n--b--\r\n";

async fn start() -> (Sim, String) {
    let sim = Sim::new(SimConfig::default()).unwrap();
    sim.add_account("andy@example.com", "pw", "Andy").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim.clone().serve(listener, std::future::pending()));
    (sim, url)
}

async fn post(url: &str, ct: &str, body: String, cookie: Option<&str>) -> (u16, String, String) {
    let mut r = reqwest::Client::new().post(format!("{url}/service/soap")).header("content-type", ct).body(body);
    if let Some(c) = cookie {
        r = r.header("cookie", format!("ZM_AUTH_TOKEN={c}"));
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
    (status, ct, resp.text().await.unwrap())
}

fn token_of(xml: &str) -> String {
    let start = xml.find("<authToken>").unwrap() + "<authToken>".len();
    xml[start..start + xml[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn formats_faults_and_tokens() {
    let (sim, url) = start().await;
    let id = sim.add_message("andy@example.com", INBOX, RAW, "u", 1_700_000_000_000).unwrap();
    assert_eq!(id, 256, "user ids start at 256");
    let auth12 = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><AuthRequest xmlns="urn:zimbraAccount"><account by="name">andy@example.com</account><password>pw</password></AuthRequest></soap:Body></soap:Envelope>"#;
    let (status, ct, body) = post(&url, "application/soap+xml", auth12.into(), None).await;
    assert_eq!((status, ct.as_str()), (200, "text/xml; charset=utf-8"));
    let tok = token_of(&body);
    assert!(tok.starts_with("0_") && tok.split('_').count() == 3, "{tok}");

    let bad = auth12
        .replace(">pw<", ">nope<")
        .replace("2003/05/soap-envelope", "")
        .replace("http://www.w3.org/", "http://schemas.xmlsoap.org/soap/envelope/");
    let (status, _, body) = post(&url, "text/xml", bad, None).await;
    assert_eq!(status, 500);
    assert!(body.contains("<faultcode>soap:Client</faultcode>") && body.contains("account.AUTH_FAILED"), "{body}");
    assert!(body.contains("authentication failed for [andy@example.com]"), "{body}");

    let json = format!(
        r#"{{"Header":{{"context":{{"_jsns":"urn:zimbra","authToken":"{tok}"}}}},"Body":{{"GetMsgRequest":{{"_jsns":"urn:zimbraMail","m":{{"id":"{id}"}}}}}}}}"#
    );
    let (status, ct, body) = post(&url, "application/json", json, None).await;
    assert_eq!((status, ct.as_str()), (200, "text/javascript; charset=utf-8"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let m = &v["Body"]["GetMsgResponse"]["m"][0];
    assert_eq!(
        (m["id"].as_str(), m["d"].as_i64(), m["f"].as_str(), m["cid"].as_str()),
        (Some("256"), Some(1_700_000_000_000), Some("au"), Some("-256"))
    );
    assert_eq!(m["mp"][0]["part"], "");
    assert_eq!(m["mp"][0]["mp"][1]["filename"], "a.pdf");
    assert!(v["Header"]["context"]["change"]["token"].as_i64().is_some(), "change token in the header");

    let missing = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><GetMsgRequest xmlns="urn:zimbraMail"><m id="999"/></GetMsgRequest></soap:Body></soap:Envelope>"#;
    let (status, _, body) = post(&url, "application/soap+xml", missing.into(), Some(&tok)).await;
    assert_eq!(status, 500);
    assert!(
        body.contains("<Code>mail.NO_SUCH_MSG</Code>")
            && body.contains("no such message: 999")
            && body.contains("soap:Sender"),
        "{body}"
    );
    let (_, _, body) = post(&url, "application/soap+xml", missing.into(), None).await;
    assert!(body.contains("service.AUTH_REQUIRED"), "{body}");
    sim.advance_clock(Duration::from_millis(172_800_001));
    let (_, _, body) = post(&url, "application/soap+xml", missing.into(), Some(&tok)).await;
    assert!(body.contains("service.AUTH_EXPIRED") && body.contains("auth credentials have expired"), "{body}");

    let batch = format!(
        r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><BatchRequest xmlns="urn:zimbra" onerror="stop"><GetMsgRequest xmlns="urn:zimbraMail" requestId="a"><m id="999"/></GetMsgRequest><GetMsgRequest xmlns="urn:zimbraMail" requestId="b"><m id="{id}"/></GetMsgRequest></BatchRequest></soap:Body></soap:Envelope>"#
    );
    let fresh = token_of(&post(&url, "application/soap+xml", auth12.into(), None).await.2);
    let (status, _, body) = post(&url, "application/soap+xml", batch.clone(), Some(&fresh)).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"requestId="a""#) && !body.contains(r#"requestId="b""#), "onerror=stop: {body}");
    let (_, _, body) = post(&url, "application/soap+xml", batch.replace("stop", "continue"), Some(&fresh)).await;
    assert!(body.contains(r#"requestId="b""#), "onerror=continue: {body}");

    let http = reqwest::Client::new();
    let part = http
        .get(format!("{url}/service/home/~/?auth=co&id={id}&part=2"))
        .header("cookie", format!("ZM_AUTH_TOKEN={fresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(part.bytes().await.unwrap().as_ref(), b"PDFDATA");
    let route = http
        .get(format!("{url}/service/extension/nginx-lookup"))
        .header("Auth-Method", "plain")
        .header("Auth-User", "andy@example.com")
        .header("Auth-Protocol", "http")
        .send()
        .await
        .unwrap();
    assert_eq!(route.headers()["Auth-Status"], "OK");
    assert_eq!(route.headers()["Auth-Port"], "7070");
}

#[tokio::test]
async fn adapter_renews_an_expired_token_and_batches_reads() {
    let (sim, url) = start().await;
    let a = sim.add_message("andy@example.com", INBOX, RAW, "", 1_000).unwrap();
    let b = sim.add_message("andy@example.com", INBOX, RAW, "f", 2_000).unwrap();
    let backend = ZimbraBackend::new().unwrap();
    backend.add_user("andy", ZimbraSourceConfig { url, account: "andy@example.com".into(), password: "pw".into() });
    let who = Principal::user("andy");
    backend.mailboxes(&who, "andy").await.unwrap();
    sim.advance_clock(Duration::from_millis(172_800_001));
    let before = sim.soap_requests();
    let ids: Vec<MessageId> = [a.to_string(), b.to_string(), "999".into()].into_iter().map(MessageId).collect();
    let got = backend.messages(&who, "andy", &ids).await.unwrap();
    assert_eq!(got.len(), 2, "the missing id is absent, the rest present");
    assert!(got[&ids[1]].flags.flagged && got[&ids[1]].flags.seen);
    assert_eq!(got[&ids[0]].attachments[0].filename.as_deref(), Some("a.pdf"));
    // expired batch + AuthRequest + retried batch: the three messages never cost three calls.
    assert_eq!(sim.soap_requests() - before, 3);
    let before = sim.soap_requests();
    backend.messages(&who, "andy", &ids).await.unwrap();
    assert_eq!(sim.soap_requests() - before, 1, "a batch of messages is one round trip");
}
