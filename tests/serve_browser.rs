//! `exercise serve` in a real browser: headless Chromium (Debian's
//! `chromium`; `.ci/run` installs it when missing) drives a trainer page and
//! three trainee pages, each trainee in a browser context of its own (its
//! own storage, as on three phones), through the DevTools protocol over a
//! small WebSocket client written here. At each step the test reads what
//! each screen shows: joining, answering, the live count, closing answers
//! (the spread chart), the reveal on both sides, the next case, the end with
//! the cohort summary. `THR_SHOTS=DIR` also saves a screenshot of each page
//! at the reveal. Skipped, saying so, when no `chromium` is installed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::serve_api::Server;

/// A headless Chromium, killed when dropped.
struct Browser {
    child: Child,
    port: u16,
    ws: Ws,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal WebSocket client (RFC 6455): text frames, masked from us.
struct Ws {
    s: TcpStream,
    next_id: u64,
}

impl Ws {
    fn connect(port: u16, path: &str) -> Ws {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        // The answer's head ends with an empty line.
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut b).unwrap();
            head.push(b[0]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        Ws { s, next_id: 1 }
    }

    fn send(&mut self, text: &str) {
        let p = text.as_bytes();
        let mut f = vec![0x81u8];
        match p.len() {
            n if n < 126 => f.push(0x80 | n as u8),
            n if n < 65536 => {
                f.push(0x80 | 126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(0x80 | 127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        f.extend_from_slice(&mask);
        f.extend(p.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.s.write_all(&f).unwrap();
    }

    fn recv(&mut self) -> String {
        let mut msg = Vec::new();
        loop {
            let mut h = [0u8; 2];
            self.s.read_exact(&mut h).unwrap();
            let fin = h[0] & 0x80 != 0;
            let mut len = u64::from(h[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                self.s.read_exact(&mut b).unwrap();
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                self.s.read_exact(&mut b).unwrap();
                len = u64::from_be_bytes(b);
            }
            let mut p = vec![0u8; len as usize];
            self.s.read_exact(&mut p).unwrap();
            msg.extend_from_slice(&p);
            if fin {
                return String::from_utf8(msg).unwrap();
            }
        }
    }

    /// Sends a DevTools command and waits for its answer (events skipped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let v: Value = serde_json::from_str(&self.recv()).unwrap();
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }
}

/// One page (tab) in its own browser context.
struct Page {
    ws: Ws,
    name: &'static str,
}

impl Page {
    /// Runs `js` in the page; returns its value.
    fn eval(&mut self, js: &str) -> Value {
        let r = self.ws.call(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{}: {js}: {r}",
            self.name
        );
        r["result"]["value"].clone()
    }

    /// The text of an element, or "" when there is none.
    fn text(&mut self, id: &str) -> String {
        let v = self.eval(&format!(
            "(() => {{ const e = document.getElementById({id:?}); return e ? e.textContent : ''; }})()"
        ));
        v.as_str().unwrap_or("").to_string()
    }

    fn visible(&mut self, id: &str) -> bool {
        self.eval(&format!(
            "(() => {{ const e = document.getElementById({id:?}); return !!e && e.offsetParent !== null; }})()"
        )) == json!(true)
    }

    /// Waits until `what` holds for the page (the pages poll every 1-1.5 s).
    fn wait(&mut self, what: &str, mut ok: impl FnMut(&mut Page) -> bool) {
        let t0 = Instant::now();
        while !ok(self) {
            if t0.elapsed() > Duration::from_secs(20) {
                let shown = self.eval("document.body.innerText");
                panic!(
                    "{}: waited 20 s for {what}; the page shows: {shown}",
                    self.name
                );
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn click(&mut self, selector: &str) {
        let done = self.eval(&format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e || e.disabled) return false; e.click(); return true; }})()"
        ));
        assert_eq!(done, json!(true), "{}: cannot click {selector}", self.name);
    }

    fn shot(&mut self, dir: &std::path::Path) {
        let r = self
            .ws
            .call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64(r["data"].as_str().unwrap());
        std::fs::write(dir.join(format!("{}.png", self.name)), png).unwrap();
    }
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| *c != b'=').map(val).collect();
    let mut out = Vec::new();
    for ch in bytes.chunks(4) {
        let n = ch
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, b)| a | (u32::from(*b) << (18 - 6 * i)));
        for i in 0..ch.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

impl Browser {
    fn start() -> Option<Browser> {
        let profile = tempfile::tempdir().unwrap();
        let chrome = crate::common::chromium()?;
        let child = Command::new(chrome)
            .args(crate::common::CHROMIUM_FLAGS)
            .args(["--remote-debugging-port=0", "--window-size=420,900"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                eprintln!("skipped: no chromium ({e}); .ci/run installs it");
                return None;
            }
        };
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let url = loop {
            line.clear();
            assert!(
                err.read_line(&mut line).unwrap() > 0,
                "chromium said no DevTools address"
            );
            if let Some(u) = line.trim().strip_prefix("DevTools listening on ") {
                break u.to_string();
            }
        };
        // Keep reading its log so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        let rest = url.trim_start_matches("ws://127.0.0.1:");
        let (port, path) = rest.split_once('/').unwrap();
        let port: u16 = port.parse().unwrap();
        let ws = Ws::connect(port, &format!("/{path}"));
        Some(Browser {
            child,
            port,
            ws,
            _profile: profile,
        })
    }

    /// Opens `url` in a new browser context (its own storage).
    fn open(&mut self, url: &str, name: &'static str, width: u32, height: u32) -> Page {
        let ctx =
            self.ws.call("Target.createBrowserContext", json!({}))["browserContextId"].clone();
        let target = self.ws.call(
            "Target.createTarget",
            json!({"url": url, "browserContextId": ctx, "width": width, "height": height}),
        )["targetId"]
            .as_str()
            .unwrap()
            .to_string();
        let mut ws = Ws::connect(self.port, &format!("/devtools/page/{target}"));
        ws.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        );
        Page { ws, name }
    }
}

#[test]
fn a_trainer_and_three_trainees_in_chromium() {
    let Some(mut browser) = Browser::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir.path().join("r.csv"), &["--phase", "post"]);
    let mut trainer = browser.open(&srv.trainer_url, "trainer", 1280, 900);
    let names = ["Ann", "Bo", "Cy"];
    let mut phones: Vec<Page> = names
        .iter()
        .map(|n| browser.open(&srv.trainees_url, n, 390, 844))
        .collect();
    // The trainer sees the first case, large, and the QR code.
    trainer.wait("the first case", |p| p.text("casetitle") == "Case 1 of 3");
    assert!(trainer.text("facts").contains("Age: 4"));
    assert!(trainer.text("concerns").contains("Hygiene often poor."));
    assert!(trainer.text("url").contains(&srv.trainees_url));
    assert_eq!(
        trainer.eval("document.querySelectorAll('#qr svg path').length"),
        json!(1)
    );
    assert_eq!(trainer.text("count"), "0");
    // Each trainee joins with a name.
    for (p, n) in phones.iter_mut().zip(names) {
        p.wait("the join form", |p| p.visible("join"));
        assert!(!p.visible("room"));
        p.eval(&format!(
            "document.getElementById('name').value = {n:?}; document.getElementById('joinform').requestSubmit(); true"
        ));
        p.wait("the case after joining", |p| {
            p.text("casetitle") == "Case 1 of 3"
        });
        assert_eq!(p.text("who"), format!("You are {n}"));
        assert!(p.text("concerns").contains("Hygiene often poor."));
        assert_eq!(
            p.eval("document.querySelectorAll('#levels button').length"),
            json!(4)
        );
        assert_eq!(p.text("status"), "No answer yet.");
    }
    trainer.wait("three in the room", |p| p.text("joined") == "3 in the room");
    // They tap a level; Ann changes her mind.
    let tap = |p: &mut Page, level: &str| p.click(&format!("#levels button[data-level='{level}']"));
    tap(&mut phones[0], "targeted");
    tap(&mut phones[1], "targeted");
    tap(&mut phones[2], "early_help");
    phones[0].wait("Ann's answer", |p| {
        p.text("status").starts_with("Your answer: Level 3")
    });
    tap(&mut phones[0], "early_help");
    phones[0].wait("Ann's new answer", |p| {
        p.text("status") == "Your answer: Level 2 - Early help (you can still change it)"
    });
    assert_eq!(
        phones[0].eval("document.querySelector('#levels button.chosen').dataset.level"),
        json!("early_help")
    );
    trainer.wait("three answers", |p| p.text("count") == "3");
    assert!(!trainer.visible("chart"));
    // Closing answers shows the spread; the phones are told.
    trainer.click("#close");
    trainer.wait("the spread chart", |p| p.visible("chart"));
    let bars = trainer.text("bars");
    assert!(
        bars.contains("Level 2 - Early help") && bars.contains("Trainees (3 answered)"),
        "{bars}"
    );
    assert!(!trainer.visible("answerbox"));
    for p in phones.iter_mut() {
        p.wait("answers closed", |p| {
            p.text("msg") == "Answers are closed. Look at the screen."
        });
        assert_eq!(
            p.eval("[...document.querySelectorAll('#levels button')].every(b => b.disabled)"),
            json!(true)
        );
    }
    // The reveal: level, reasons, why the neighbours were not reached.
    trainer.click("#reveal");
    trainer.wait("the reveal", |p| p.visible("answerbox"));
    assert_eq!(
        trainer.text("rlevel"),
        "The guidance says: Level 2 - Early help"
    );
    let why = trainer.text("rwhy");
    assert!(why.contains("hygiene often poor"), "{why}");
    assert!(
        why.contains("Level 3 - Targeted was not reached because"),
        "{why}"
    );
    assert!(
        why.contains("Level 1 - Universal would be too low"),
        "{why}"
    );
    for (i, p) in phones.iter_mut().enumerate() {
        p.wait("the reveal on the phone", |p| p.visible("reveal"));
        assert_eq!(p.text("rlevel"), "The guidance says: Level 2 - Early help");
        let mine = p.text("rmine");
        if i == 1 {
            assert_eq!(mine, "Your answer was Level 3 - Targeted.");
        } else {
            assert_eq!(mine, "Your answer matches the guidance.");
        }
    }
    if let Some(shots) = std::env::var_os("THR_SHOTS") {
        let shots = std::path::PathBuf::from(shots);
        std::fs::create_dir_all(&shots).unwrap();
        trainer.shot(&shots);
        for p in phones.iter_mut() {
            p.shot(&shots);
        }
    }
    // Next: a new case everywhere, answers open again.
    trainer.click("#next");
    trainer.wait("case 2", |p| p.text("casetitle") == "Case 2 of 3");
    assert!(!trainer.visible("chart") && !trainer.visible("answerbox"));
    assert_eq!(trainer.text("count"), "0");
    for p in phones.iter_mut() {
        p.wait("case 2 on the phone", |p| {
            p.text("casetitle") == "Case 2 of 3"
        });
        assert!(p.text("concerns").contains("Unexplained injury."));
        assert!(!p.visible("reveal"));
        assert_eq!(
            p.eval("[...document.querySelectorAll('#levels button')].some(b => b.disabled)"),
            json!(false)
        );
    }
    tap(&mut phones[2], "specialist");
    trainer.wait("one answer", |p| p.text("count") == "1");
    // The end: the cohort summary on the projector, thanks on the phones.
    trainer.click("#end");
    trainer.wait("the summary", |p| {
        p.text("sumbody").contains("answers from")
    });
    let sum = trainer.text("sumbody");
    assert!(
        sum.starts_with("4 answers from 3 trainees in the post round."),
        "{sum}"
    );
    for n in names {
        assert!(sum.contains(n), "{sum}");
    }
    for p in phones.iter_mut() {
        p.wait("the end on the phone", |p| p.visible("ended"));
        assert!(!p.visible("case"));
    }
    // What the pages did is what the file holds.
    let csv = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 5, "{csv}");
    assert!(csv.contains("Ann,V01,targeted,post\n") && csv.contains("Ann,V01,early_help,post\n"));
    drop(srv);
}
