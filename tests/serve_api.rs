//! `thresholds exercise serve` end to end (SPEC §7.1): the real binary on
//! `--port 0`, its `trainees:` and `trainer:` lines read from the pipe, and
//! the JSON API driven over HTTP (join, answer, replace, reveal, next, wrong
//! token, malformed bodies, restart from the CSV). Then a room of sixty
//! simulated trainees answering at once (latency and memory are printed,
//! never asserted). A small HTTP/1.1 client lives here: no client crate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/serve")
        .join(name)
}

/// A running server, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    /// `host:port`.
    pub addr: String,
    /// The trainer's token.
    pub token: String,
    /// The printed lines.
    pub trainees_url: String,
    pub trainer_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `exercise serve` on a free port with `extra` arguments.
    pub(crate) fn start(responses: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_thresholds"))
            .args(["exercise", "serve"])
            .arg(fixture("rules.thr"))
            .arg(fixture("vignettes.csv"))
            .arg("-o")
            .arg(responses)
            .args(["--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut trainees_url, mut trainer_url) = (String::new(), String::new());
        let mut line = String::new();
        while trainer_url.is_empty() {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "the server printed no trainer line"
            );
            if let Some(u) = line.strip_prefix("trainees: ") {
                trainees_url = u.trim().to_string();
            } else if let Some(u) = line.strip_prefix("trainer: ") {
                trainer_url = u.trim().to_string();
            }
        }
        let addr = trainees_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let token = trainer_url
            .split("token=")
            .nth(1)
            .expect("token= in the trainer URL")
            .to_string();
        Server {
            child,
            addr,
            token,
            trainees_url,
            trainer_url,
        }
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// One HTTP/1.1 request; returns (status, body as JSON or as a string).
pub(crate) fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let b = body.unwrap_or("");
    if body.is_some() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{b}", b.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    let v = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, v)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn get(srv: &Server, path: &str) -> (u16, Value) {
    request(&srv.addr, "GET", path, None, None)
}

fn post(srv: &Server, path: &str, body: &str) -> (u16, Value) {
    request(&srv.addr, "POST", path, None, Some(body))
}

fn trainer(srv: &Server, what: &str, token: Option<&str>) -> (u16, Value) {
    request(
        &srv.addr,
        "POST",
        &format!("/api/trainer/{what}"),
        token,
        None,
    )
}

fn join(srv: &Server, name: &str) -> String {
    let (st, v) = post(srv, "/api/join", &json!({ "name": name }).to_string());
    assert_eq!(st, 200, "{v}");
    v["trainee"].as_str().unwrap().to_string()
}

fn answer(srv: &Server, trainee: &str, vignette: &str, level: &str) -> (u16, Value) {
    post(
        srv,
        "/api/answer",
        &json!({ "trainee": trainee, "vignette": vignette, "level": level }).to_string(),
    )
}

fn temp_csv(name: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    (d, p)
}

#[test]
fn printed_lines_and_state_keys() {
    let (_d, csv) = temp_csv("r.csv");
    let srv = Server::start(&csv, &["--phase", "pre"]);
    // --port 0: the printed address shows the real port.
    let port: u16 = srv.addr.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert!(srv.trainees_url.starts_with("http://127.0.0.1:"));
    assert!(srv.trainer_url.contains("/trainer?token="));
    assert_eq!(srv.token.len(), 32);
    let (st, s) = get(&srv, "/api/state");
    assert_eq!(st, 200);
    for k in [
        "exercise", "phase", "index", "total", "vignette", "levels", "answers", "revealed",
    ] {
        assert!(s.get(k).is_some(), "no `{k}` in {s}");
    }
    assert_eq!(s["exercise"], "Test");
    assert_eq!(s["phase"], "pre");
    assert_eq!(s["index"], 0);
    assert_eq!(s["total"], 3);
    assert_eq!(s["vignette"]["id"], "V01");
    let notes = s["vignette"]["notes"].as_str().unwrap();
    assert!(notes.contains("Hygiene often poor."), "{notes}");
    assert_eq!(
        s["levels"][2],
        json!({"id": "targeted", "label": "Level 3 - Targeted"})
    );
    assert_eq!(s["answers"], 0);
    assert_eq!(s["revealed"], false);
    assert!(s.get("level").is_none() && s.get("reasons").is_none());
    // The pages are served, self-contained.
    let (st, page) = get(&srv, "/");
    assert_eq!(st, 200);
    assert!(page.as_str().unwrap().contains("Join the exercise"));
    let (st, page) = get(&srv, "/trainer");
    assert_eq!(st, 200);
    let page = page.as_str().unwrap();
    assert!(page.contains("<svg") && page.contains(&srv.trainees_url));
    assert_eq!(get(&srv, "/nothing").0, 404);
}

#[test]
fn join_answer_replace_reveal_next_end() {
    let (_d, csv) = temp_csv("r.csv");
    let srv = Server::start(&csv, &["--phase", "post"]);
    let ann = join(&srv, "Ann");
    let bo = join(&srv, "Bo");
    // A name already in the room, in any case.
    let (st, v) = post(&srv, "/api/join", r#"{"name": " ann "}"#);
    assert_eq!(st, 409, "{v}");
    assert!(v["error"].as_str().unwrap().contains("already in the room"));
    // Answers by id, label and number; a later answer replaces.
    assert_eq!(answer(&srv, &ann, "V01", "targeted").0, 200);
    assert_eq!(answer(&srv, &bo, "V01", "Level 1 - Universal").0, 200);
    assert_eq!(get(&srv, "/api/state").1["answers"], 2);
    assert_eq!(answer(&srv, &ann, "V01", "2").0, 200);
    assert_eq!(get(&srv, "/api/state").1["answers"], 2);
    let mine = get(&srv, &format!("/api/state?trainee={ann}")).1;
    assert_eq!(mine["your_answer"], "early_help");
    assert_eq!(mine["you"], "Ann");
    // Unknown trainee 401, vignette not current 409, unknown level 422.
    assert_eq!(answer(&srv, "nobody", "V01", "1").0, 401);
    assert_eq!(answer(&srv, &ann, "V02", "1").0, 409);
    assert_eq!(answer(&srv, &ann, "V99", "1").0, 409);
    let (st, v) = answer(&srv, &ann, "V01", "maybe");
    assert_eq!(st, 422);
    assert!(v["error"].as_str().unwrap().contains("not a level"));
    // Trainer actions need the token.
    assert_eq!(trainer(&srv, "reveal", None).0, 401);
    assert_eq!(trainer(&srv, "reveal", Some("wrong")).0, 401);
    assert_eq!(trainer(&srv, "next", Some("wrong")).0, 401);
    assert_eq!(
        request(&srv.addr, "GET", "/api/trainer/summary", Some("x"), None).0,
        401
    );
    assert_eq!(get(&srv, "/api/state").1["revealed"], false);
    let (st, s) = trainer(&srv, "reveal", Some(&srv.token));
    assert_eq!(st, 200, "{s}");
    assert_eq!(s["revealed"], true);
    assert_eq!(s["level"], "early_help");
    let reasons = s["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    assert!(
        reasons[0].as_str().unwrap().contains("hygiene often poor"),
        "{s}"
    );
    assert_eq!(s["spread"][1]["count"], 1);
    assert!(s["debrief"]
        .as_str()
        .unwrap()
        .contains("Level 3 - Targeted was not reached"));
    // The state anyone reads shows it too; answers are now closed.
    assert_eq!(get(&srv, "/api/state").1["level"], "early_help");
    assert_eq!(answer(&srv, &bo, "V01", "2").0, 409);
    // Next, previous.
    let (st, s) = trainer(&srv, "next", Some(&srv.token));
    assert_eq!(
        (st, s["index"].clone(), s["revealed"].clone()),
        (200, json!(1), json!(false))
    );
    assert_eq!(s["vignette"]["id"], "V02");
    assert_eq!(s["answers"], 0);
    assert_eq!(answer(&srv, &bo, "V02", "specialist").0, 200);
    assert_eq!(answer(&srv, &ann, "V01", "1").0, 409);
    let (st, s) = trainer(&srv, "previous", Some(&srv.token));
    assert_eq!((st, s["index"].clone()), (200, json!(0)));
    assert_eq!(trainer(&srv, "previous", Some(&srv.token)).0, 409);
    assert_eq!(trainer(&srv, "next", Some(&srv.token)).0, 200);
    // End, and the summary is the §7 report.
    let (st, s) = trainer(&srv, "end", Some(&srv.token));
    assert_eq!((st, s["ended"].clone()), (200, json!(true)));
    let (st, sum) = request(
        &srv.addr,
        "GET",
        "/api/trainer/summary",
        Some(&srv.token),
        None,
    );
    assert_eq!(st, 200, "{sum}");
    assert_eq!(sum["n"], 3);
    assert_eq!(sum["replaced"], 1);
    let trainees: Vec<&str> = sum["trainees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trainee"].as_str().unwrap())
        .collect();
    assert_eq!(trainees.len(), 2);
    assert!(sum["vignettes"].is_array() && sum.get("fleiss_kappa").is_some());
    // Every answer is in the CSV, the replaced one too, at once.
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text,
        "trainee,vignette,level,phase\n\
         Ann,V01,targeted,post\n\
         Bo,V01,universal,post\n\
         Ann,V01,early_help,post\n\
         Bo,V02,specialist,post\n"
    );
    // `thresholds exercise` reports on it: the last answer counts.
    let o = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(["exercise"])
        .arg(fixture("rules.thr"))
        .arg(fixture("vignettes.csv"))
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(shown.contains("1 answer(s) replaced"), "{shown}");
}

#[test]
fn malformed_requests_get_400_and_the_server_carries_on() {
    let (_d, csv) = temp_csv("r.csv");
    let srv = Server::start(&csv, &[]);
    for body in [
        "",
        "nope",
        "{",
        "[]",
        "{}",
        r#"{"name": 3}"#,
        r#"{"name": ""}"#,
        r#"{"name": "   "}"#,
        r#"{"name": "=HYPERLINK(1)"}"#,
        r#"{"name": "a\u0007b"}"#,
        "\u{0}\u{1}\u{2}",
    ] {
        let (st, v) = post(&srv, "/api/join", body);
        assert_eq!(st, 400, "{body:?}: {v}");
        assert!(v["error"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }
    let long = "x".repeat(61);
    assert_eq!(
        post(&srv, "/api/join", &json!({"name": long}).to_string()).0,
        400
    );
    let ann = join(&srv, "Ann");
    for body in [
        "{}".to_string(),
        json!({"trainee": ann}).to_string(),
        json!({"trainee": ann, "vignette": "V01"}).to_string(),
        json!({"trainee": ann, "vignette": 1, "level": "1"}).to_string(),
        json!({"trainee": ann, "vignette": "V01", "level": null}).to_string(),
        json!({"trainee": ann, "vignette": "V01", "level": [1]}).to_string(),
        "{\"trainee\": \"".to_string(),
    ] {
        let (st, v) = post(&srv, "/api/answer", &body);
        assert_eq!(st, 400, "{body}: {v}");
    }
    // A level given as a number works too.
    assert_eq!(
        post(
            &srv,
            "/api/answer",
            &json!({"trainee": ann, "vignette": "V01", "level": 3}).to_string()
        )
        .0,
        200
    );
    // Garbage on the socket does not stop it.
    let mut s = TcpStream::connect(&srv.addr).unwrap();
    s.write_all(b"\x16\x03\x01 not http at all\r\n\r\n")
        .unwrap();
    drop(s);
    assert_eq!(get(&srv, "/api/state").0, 200);
    // --no-reveal: answers close, the rules' level is never shown.
    let (_d2, csv2) = temp_csv("r2.csv");
    let pre = Server::start(&csv2, &["--phase", "pre", "--no-reveal"]);
    let (st, v) = trainer(&pre, "reveal", Some(&pre.token));
    assert_eq!(st, 409, "{v}");
    assert!(v["error"].as_str().unwrap().contains("--no-reveal"));
    let s = get(&pre, "/api/state").1;
    assert_eq!(s["revealed"], false);
    assert!(s.get("level").is_none() && s.get("reasons").is_none());
    let (st, s) = trainer(&pre, "close", Some(&pre.token));
    assert_eq!((st, s["closed"].clone()), (200, json!(true)));
    assert!(s.get("level").is_none());
}

#[test]
fn a_restarted_server_carries_on_from_the_csv() {
    let (_d, csv) = temp_csv("r.csv");
    let first = Server::start(&csv, &["--phase", "post"]);
    let ann = join(&first, "Ann");
    let bo = join(&first, "Bo");
    assert_eq!(trainer(&first, "next", Some(&first.token)).0, 200);
    assert_eq!(answer(&first, &ann, "V02", "3").0, 200);
    assert_eq!(answer(&first, &bo, "V02", "4").0, 200);
    drop(first);
    let again = Server::start(&csv, &["--phase", "post"]);
    let s = get(&again, "/api/state").1;
    // Back on the last case answered, with its answers counted.
    assert_eq!(s["index"], 1);
    assert_eq!(s["answers"], 2);
    // The old token is gone; the name joins once more and carries on.
    assert_eq!(answer(&again, &ann, "V02", "2").0, 401);
    let ann2 = join(&again, "ann");
    let me = get(&again, &format!("/api/state?trainee={ann2}")).1;
    assert_eq!(me["you"], "Ann");
    assert_eq!(me["your_answer"], "targeted");
    assert_eq!(post(&again, "/api/join", r#"{"name":"Ann"}"#).0, 409);
    assert_eq!(answer(&again, &ann2, "V02", "specialist").0, 200);
    assert_eq!(get(&again, "/api/state").1["answers"], 2);
    let (_, sum) = request(
        &again.addr,
        "GET",
        "/api/trainer/summary",
        Some(&again.token),
        None,
    );
    assert_eq!(sum["n"], 2);
    assert_eq!(sum["correct"], 2);
    assert_eq!(sum["replaced"], 1);
    // A different phase on a file of phases is fine; no phase is refused.
    drop(again);
    let o = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(["exercise", "serve"])
        .arg(fixture("rules.thr"))
        .arg(fixture("vignettes.csv"))
        .arg("-o")
        .arg(&csv)
        .args(["--port", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give --phase"));
}

/// Sixty trainees join and answer at once, three rounds: every answer is
/// acknowledged and in the CSV. Prints p50/p99 latency and the server's
/// resident memory (for BENCHMARKS.md); asserts no timing.
#[test]
fn sixty_trainees_answer_at_once() {
    let (_d, csv) = temp_csv("r.csv");
    let srv = Server::start(&csv, &["--phase", "pre"]);
    let tokens: Vec<String> = (0..60)
        .map(|i| join(&srv, &format!("Trainee {i:02}")))
        .collect();
    let mut lat = Vec::new();
    for (round, vignette) in ["V01", "V02", "V03"].iter().enumerate() {
        if round > 0 {
            assert_eq!(trainer(&srv, "next", Some(&srv.token)).0, 200);
        }
        let start = std::sync::Arc::new(std::sync::Barrier::new(tokens.len()));
        let handles: Vec<_> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let (addr, t, start) = (srv.addr.clone(), t.clone(), start.clone());
                let v = vignette.to_string();
                std::thread::spawn(move || {
                    start.wait();
                    let level = (i % 4 + 1).to_string();
                    let body = json!({"trainee": t, "vignette": v, "level": level}).to_string();
                    let t0 = Instant::now();
                    let (st, _) = request(&addr, "POST", "/api/answer", None, Some(&body));
                    (st, t0.elapsed())
                })
            })
            .collect();
        for h in handles {
            let (st, d) = h.join().unwrap();
            assert_eq!(st, 200);
            lat.push(d);
        }
        assert_eq!(get(&srv, "/api/state").1["answers"], 60);
    }
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    let rss = std::fs::read_to_string(format!("/proc/{}/status", srv.pid()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!(
        "serve load: {} answers from 60 trainees at once: p50 {:?}, p99 {:?}, max {:?}; server memory (RSS) {rss}",
        lat.len(),
        p(0.5),
        p(0.99),
        lat[lat.len() - 1]
    );
    let rows = std::fs::read_to_string(&csv).unwrap().lines().count();
    assert_eq!(rows, 1 + 180);
}
