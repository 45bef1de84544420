//! `blobs()` against the simulator over HTTP: a page's attachments in one
//! round trip, byte for byte what the REST part download returns; the
//! download still serving big and 8-bit messages (`<content url=…>`);
//! deleted messages absent; the one-call-per-message baseline unchanged.

#![allow(clippy::unwrap_used)]

use mailgate_backend::{BlobId, ChangeRequest, MailBackend, MailChange, MessageId, Principal, RequestId};
use mailgate_zimbra::client::SoapClient;
use mailgate_zimbra::config::ClientLimits;
use mailgate_zimbra::sim::{Sim, SimConfig, INBOX, MAX_INLINE_RAW};
use mailgate_zimbra::xml::El;
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use std::collections::HashMap;

const ACCOUNT: &str = "andy@example.com";

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n = chunk.iter().enumerate().fold(0u32, |acc, (k, b)| acc | (u32::from(*b) << (16 - 8 * k)));
        for k in 0..4 {
            out.push(if k <= chunk.len() { A[(n >> (18 - 6 * k)) as usize & 63] as char } else { '=' });
        }
    }
    out
}

fn binary(seed: u32, len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 13) as u8).collect()
}

fn head(n: u32, boundary: &str) -> String {
    format!(
        "From: Bea <bea@example.com>\r\nTo: {ACCOUNT}\r\nSubject: Report {n} & <more>\r\nMessage-ID: <r{n}@x>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
    )
}

/// A message with text and HTML bodies and base64 attachments `(content type, file name, bytes)`.
fn with_attachments(n: u32, atts: &[(&str, &str, Vec<u8>)]) -> Vec<u8> {
    let mut raw = head(n, &format!("m{n}"));
    raw.push_str(&format!(
        "--m{n}\r\nContent-Type: multipart/alternative; boundary=\"a{n}\"\r\n\r\n\
--a{n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody {n}\r\n\
--a{n}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Body {n}</p>\r\n--a{n}--\r\n"
    ));
    for (ct, name, bytes) in atts {
        raw.push_str(&format!(
            "--m{n}\r\nContent-Type: {ct}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(bytes)
        ));
    }
    raw.push_str(&format!("--m{n}--\r\n"));
    raw.into_bytes()
}

/// Inline image by Content-ID, a quoted-printable ISO-8859-1 text attachment.
fn related_and_latin1(n: u32) -> Vec<u8> {
    let mut raw = head(n, "mx");
    raw.push_str(&format!(
        "--mx\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<img src=\"cid:logo@x\">\r\n\
--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--rel--\r\n\
--mx\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\
Content-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nCaf=E9 cr=E8me, =\r\nna=EFve\r\n--mx--\r\n",
        b64(&binary(n, 900))
    ));
    raw.into_bytes()
}

/// A forward: a body, an attached multipart message with its own attachment,
/// and an attached single-part message.
fn forward(n: u32) -> Vec<u8> {
    let mut raw = head(n, "fw");
    raw.push_str(&format!(
        "--fw\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n\
--fw\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n\
From: Cy <cy@example.com>\r\nSubject: Original\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n\
--in\r\nContent-Type: text/plain\r\n\r\nThe original text.\r\n\
--in\r\nContent-Type: application/zip; name=\"a.zip\"\r\nContent-Disposition: attachment; filename=\"a.zip\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--in--\r\n\
--fw\r\nContent-Type: message/rfc822\r\n\r\nFrom: Di <di@example.com>\r\nSubject: Short\r\n\r\nShort one.\r\n--fw--\r\n",
        b64(&binary(n, 1500))
    ));
    raw.into_bytes()
}

/// A single-part message whose only part (`1`) is the attachment.
fn single_part(n: u32) -> Vec<u8> {
    format!(
        "From: bea@example.com\r\nSubject: Scan {n}\r\nMIME-Version: 1.0\r\nContent-Type: application/pdf; name=\"s.pdf\"\r\n\
Content-Disposition: attachment; filename=\"s.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        b64(&binary(n, 2000))
    )
    .into_bytes()
}

struct Served {
    sim: Sim,
    url: String,
}

async fn serve(raws: &[Vec<u8>]) -> (Served, Vec<u32>) {
    let sim = Sim::new(SimConfig::default()).unwrap();
    sim.add_account(ACCOUNT, "pw", "Andy").unwrap();
    let ids = raws.iter().enumerate().map(|(i, r)| sim.add_message(ACCOUNT, INBOX, r, "", 1_000 + i as i64).unwrap());
    let ids = ids.collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim.clone().serve(listener, std::future::pending()));
    (Served { sim, url }, ids)
}

impl Served {
    fn config(&self) -> ZimbraSourceConfig {
        ZimbraSourceConfig { url: self.url.clone(), account: ACCOUNT.into(), password: "pw".into() }
    }

    fn backend(&self, limits: ClientLimits) -> ZimbraBackend {
        let b = ZimbraBackend::with_limits(limits).unwrap();
        b.add_user("andy", self.config());
        b
    }

    /// A separate client, for the REST download and raw SOAP calls.
    fn client(&self) -> SoapClient {
        SoapClient::new(reqwest::Client::new(), self.config(), ClientLimits::default())
    }

    /// Every attachment blob of these messages (read first, as a page does), and the raw blobs.
    async fn attachment_blobs(&self, b: &ZimbraBackend, ids: &[u32]) -> Vec<BlobId> {
        let ids: Vec<MessageId> = ids.iter().map(|i| MessageId(i.to_string())).collect();
        let got = b.messages(&Principal::user("andy"), "andy", &ids).await.unwrap();
        let mut out: Vec<BlobId> =
            ids.iter().flat_map(|i| got[i].attachments.iter().map(|a| a.blob_id.clone())).collect();
        out.extend(ids.iter().map(|i| got[i].raw_blob.clone()));
        out
    }

    /// The `<content>` of GetMsg `raw=1`.
    async fn raw_content(&self, c: &SoapClient, id: u32) -> El {
        let m = El::new("m").attr("id", id).attr("raw", "1");
        let r = c.call(&El::new("GetMsgRequest").attr("xmlns", "urn:zimbraMail").child(m), true).await.unwrap();
        r.body.first("m").unwrap().first("content").unwrap().clone()
    }

    /// What the REST download returns for a blob (`None`: absent).
    async fn rest(&self, c: &SoapClient, blob: &BlobId) -> Option<Vec<u8>> {
        let (item, part) = match blob.0.split_once('/') {
            Some((i, p)) => (i, Some(p)),
            None => (blob.0.as_str(), None),
        };
        c.download(item, part, usize::MAX).await.unwrap()
    }
}

#[tokio::test]
async fn a_page_of_blobs_is_one_round_trip_and_equals_the_rest_download() {
    let mut raws: Vec<Vec<u8>> = (0..10u32)
        .map(|n| {
            let atts = [
                ("application/pdf", "report.pdf", binary(n, 3000 + n as usize * 97)),
                ("image/png", "p.png", binary(n + 50, 1200)),
            ];
            with_attachments(n, &atts[..1 + (n as usize % 2)])
        })
        .collect();
    raws.extend([related_and_latin1(20), forward(21), single_part(22)]);
    assert!(raws.iter().all(|r| r.len() <= MAX_INLINE_RAW), "every test message goes inline");
    let (s, ids) = serve(&raws).await;
    let b = s.backend(ClientLimits::default());
    let mut blobs = s.attachment_blobs(&b, &ids).await;
    let (fwd, single) = (ids[11], ids[12]);
    // The attached message's own parts are addressable, as Zimbra numbers them.
    blobs.extend([format!("{fwd}/2.1"), format!("{fwd}/2.2"), format!("{fwd}/3.1")].map(BlobId));
    for listed in [format!("{fwd}/2"), format!("{fwd}/3"), format!("{single}/1")] {
        assert!(blobs.contains(&BlobId(listed.clone())), "{listed} in {blobs:?}");
    }
    assert!(blobs.len() > 30, "{}", blobs.len());

    let before = s.sim.http_requests();
    let got = b.blobs(&Principal::user("andy"), "andy", &blobs, 1 << 20).await.unwrap();
    assert_eq!(
        s.sim.http_requests() - before,
        1,
        "one BatchRequest for {} blobs of {} messages",
        blobs.len(),
        ids.len()
    );

    let c = s.client();
    for blob in &blobs {
        let rest = s.rest(&c, blob).await;
        assert!(rest.is_some(), "{blob} exists");
        assert_eq!(got.get(blob), rest.as_ref(), "{blob}: cut locally = REST download");
    }
    assert_eq!(got.len(), blobs.len());
    let latin = got[&BlobId(format!("{}/2", ids[10]))].clone();
    assert_eq!(latin, b"Caf\xE9 cr\xE8me, na\xEFve", "text keeps its charset");
    assert_eq!(got[&BlobId(format!("{fwd}/2.2"))], binary(21, 1500), "the attached message's attachment");
    assert_eq!(got[&BlobId(format!("{}/2", ids[0]))], binary(0, 3000), "a base64 attachment, decoded");
    assert_eq!(got[&BlobId(ids[3].to_string())], raws[3], "the raw blob is the message");
    assert!(
        got[&BlobId(format!("{fwd}/2"))].starts_with(b"From: Cy <cy@example.com>\r\n"),
        "an attached message, whole"
    );

    // max_size keeps its meaning: a blob over it is absent, the rest served, still one round trip.
    let before = s.sim.http_requests();
    let small = b.blobs(&Principal::user("andy"), "andy", &blobs, 2000).await.unwrap();
    assert_eq!(s.sim.http_requests() - before, 1);
    for blob in &blobs {
        let len = got[blob].len();
        assert_eq!(small.contains_key(blob), len <= 2000, "{blob} of {len} bytes");
    }
}

#[tokio::test]
async fn big_and_8bit_messages_come_as_a_url_and_are_downloaded_part_by_part() {
    let big = with_attachments(1, &[("application/pdf", "big.pdf", binary(1, 60_000))]);
    let mut eight_bit = b"From: bea@example.com\r\nSubject: Gr\xFC\xDFe\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"e\"\r\n\r\n--e\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\nGr\xFC\xDFe aus K\xF6ln\r\n--e\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"x.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    eight_bit.extend_from_slice(format!("{}\r\n--e--\r\n", b64(&binary(2, 700))).as_bytes());
    let small = with_attachments(3, &[("image/png", "s.png", binary(3, 800))]);
    let (s, ids) = serve(&[big.clone(), eight_bit.clone(), small.clone()]).await;

    // The simulator, like Zimbra: inline only small ASCII raw, unmangled; a URL otherwise.
    let c = s.client();
    for (id, raw) in [(ids[0], &big), (ids[1], &eight_bit)] {
        let content = s.raw_content(&c, id).await;
        assert_eq!(content.get("url"), Some(format!("/service/home/~/?auth=co&id={id}").as_str()));
        assert!(content.text.is_empty(), "no text with a url");
        assert_eq!(s.rest(&c, &BlobId(id.to_string())).await.as_ref(), Some(raw), "the url's bytes");
    }
    let inline = s.raw_content(&c, ids[2]).await;
    assert_eq!((inline.get("url"), inline.text.as_bytes()), (None, small.as_slice()), "CRLF, & and < survive");

    let b = s.backend(ClientLimits::default());
    let blobs = s.attachment_blobs(&b, &ids).await;
    assert_eq!(blobs.len(), 6, "{blobs:?}");
    let before = s.sim.http_requests();
    let got = b.blobs(&Principal::user("andy"), "andy", &blobs, 1 << 20).await.unwrap();
    // The batch, then one download for each of the four blobs of the two url messages.
    assert_eq!(s.sim.http_requests() - before, 1 + 4);
    for blob in &blobs {
        assert_eq!(got.get(blob), s.rest(&c, blob).await.as_ref(), "{blob}");
    }
    assert_eq!(got[&BlobId(format!("{}/2", ids[0]))], binary(1, 60_000));
}

#[tokio::test]
async fn blobs_of_a_missing_message_are_absent_and_the_rest_served() {
    let (s, ids) = serve(&[with_attachments(1, &[("application/pdf", "a.pdf", binary(1, 500))]), single_part(2)]).await;
    let b = s.backend(ClientLimits::default());
    let who = Principal::user("andy");
    let mut blobs = s.attachment_blobs(&b, &ids).await;
    blobs.extend([
        BlobId("99999/2".into()),
        BlobId("99999".into()),
        BlobId(format!("{}/7", ids[0])),
        BlobId("x/1".into()),
    ]);
    let before = s.sim.http_requests();
    let got = b.blobs(&who, "andy", &blobs, 1 << 20).await.unwrap();
    assert_eq!(s.sim.http_requests() - before, 1);
    let want: Vec<&BlobId> = blobs.iter().take(4).collect();
    let mut have: Vec<&BlobId> = got.keys().collect();
    have.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(have, want_sorted, "no such message, no such part, not an id: absent");

    // A message deleted between the page's read and its blobs: mail.NO_SUCH_MSG for its item.
    let doomed = MessageId(ids[1].to_string());
    for round in 0..2 {
        let change = MailChange::Delete { ids: vec![doomed.clone()] };
        let req = ChangeRequest { request_id: RequestId(format!("delete-{round}")), change };
        b.apply(&who, "andy", req).await.unwrap();
    }
    let got = b.blobs(&who, "andy", &blobs, 1 << 20).await.unwrap();
    assert_eq!(got.len(), 2, "only the first message's blobs: {:?}", got.keys().collect::<Vec<_>>());
}

#[tokio::test]
async fn the_one_call_per_message_baseline_still_downloads_each_blob() {
    let raws: Vec<Vec<u8>> =
        (0..3).map(|n| with_attachments(n, &[("application/pdf", "a.pdf", binary(n, 400))])).collect();
    let (s, ids) = serve(&raws).await;
    let b = s.backend(ClientLimits { one_call_per_message: true, ..ClientLimits::default() });
    let blobs = s.attachment_blobs(&b, &ids).await;
    let before = s.sim.http_requests();
    let got = b.blobs(&Principal::user("andy"), "andy", &blobs, 1 << 20).await.unwrap();
    assert_eq!((got.len() as u64, s.sim.http_requests() - before), (6, 6), "as GraphQL Mesh would");
}

#[tokio::test]
async fn a_single_blob_is_one_download() {
    let (s, ids) = serve(&[with_attachments(1, &[("application/pdf", "a.pdf", binary(1, 500))])]).await;
    let b = s.backend(ClientLimits::default());
    let blob = BlobId(format!("{}/2", ids[0]));
    b.mailboxes(&Principal::user("andy"), "andy").await.unwrap();
    let (soap, all) = (s.sim.soap_requests(), s.sim.http_requests());
    let got: HashMap<BlobId, Vec<u8>> =
        b.blobs(&Principal::user("andy"), "andy", std::slice::from_ref(&blob), 1 << 20).await.unwrap();
    assert_eq!(got[&blob], binary(1, 500));
    assert_eq!((s.sim.soap_requests() - soap, s.sim.http_requests() - all), (0, 1), "no batch for one blob");
}
