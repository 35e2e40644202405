//! `thresholds exercise` end to end through the real binary: the pack
//! (deterministic for a seed, stratified, columns dropped), rejects with line
//! numbers and exit 3, the empty-file error, and the terminal mode driven
//! through piped stdin and through a pseudo-terminal (`script`).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exercise")
        .join(name)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    bin().args(args).output().unwrap()
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

fn pack(dir: &Path, seed: &str, n: &str, name: &str) -> String {
    let out = dir.join(name);
    let o = run(&[
        os("exercise"),
        os("pack"),
        fixture("rules.thr").as_os_str(),
        fixture("sample.csv").as_os_str(),
        os("--n"),
        os(n),
        os("--seed"),
        os(seed),
        os("-o"),
        out.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

/// The rules' level of each vignette in a pack CSV.
fn levels(csv_text: &str) -> Vec<u8> {
    let c = thresholds::ruleset::load_file(&fixture("rules.thr")).unwrap();
    let plan = c.plan.unwrap();
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let mut obj = serde_json::Map::new();
            for (h, v) in headers.iter().zip(r.iter()) {
                if v.is_empty() {
                    continue;
                }
                let val = match v.parse::<f64>() {
                    Ok(n) if h != "id" => serde_json::json!(n),
                    _ => serde_json::json!(v),
                };
                obj.insert(h.into(), val);
            }
            let rec = thresholds::data::record_from_json(&plan, &obj).unwrap();
            thresholds::eval::score(&plan, &rec).unwrap().level.get()
        })
        .collect()
}

#[test]
fn pack_is_deterministic_stratified_and_anonymous() {
    let tmp = tempfile::tempdir().unwrap();
    let a = pack(tmp.path(), "5", "8", "a.csv");
    let b = pack(tmp.path(), "5", "8", "b.csv");
    let c = pack(tmp.path(), "6", "8", "c.csv");
    assert_eq!(a, b, "same seed, same pack");
    assert_ne!(a, c, "another seed, another pack");
    let mut lines = a.lines();
    assert_eq!(lines.next(), Some("id,age,dash_score,indicators"));
    let ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        ids,
        ["V01", "V02", "V03", "V04", "V05", "V06", "V07", "V08"]
    );
    assert!(!a.contains("R10") && !a.contains("private") && !a.contains("S47"));
    for seed in ["1", "2", "3", "4"] {
        let p = pack(tmp.path(), seed, "4", "s.csv");
        let mut l = levels(&p);
        l.sort_unstable();
        assert_eq!(l, vec![0, 1, 2, 3], "seed {seed}: every level once");
    }
}

#[test]
fn pack_handout_has_case_notes_without_levels() {
    let tmp = tempfile::tempdir().unwrap();
    let md = pack(tmp.path(), "5", "4", "pack.md");
    assert!(md.contains("## Case V01"), "{md}");
    assert!(md.contains("Level of need: ______"));
    assert!(!md.contains("R10") && !md.contains("private"));
    // The levels appear once, in the list to choose from, never per case.
    assert_eq!(md.matches("Level 4 - Specialist").count(), 1);
}

#[test]
fn rejects_are_listed_with_lines_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let pack_csv = tmp.path().join("pack.csv");
    std::fs::write(
        &pack_csv,
        "id,age,dash_score,indicators\nV01,4,,hygiene\nV02,4,,\n",
    )
    .unwrap();
    let report = tmp.path().join("r.json");
    let o = run(&[
        os("exercise"),
        fixture("rules.thr").as_os_str(),
        pack_csv.as_os_str(),
        fixture("responses_rejects.csv").as_os_str(),
        os("-o"),
        report.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let rej: Vec<(u64, String)> = j["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["column"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rej,
        vec![(3, "level".to_string()), (4, "vignette".to_string()),]
    );
    assert_eq!(j["responses_read"], 5);
    assert_eq!(j["n"], 2);
    // ann's second answer to V01 (line 5) replaced the first: the last
    // counts (SPEC 7), nothing is rejected for it.
    assert_eq!(j["replaced"], 1);
    assert_eq!(j["correct"], 1);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("already answered"), "{stderr}");
    // Without -o: the summary on screen lists them too.
    let o = run(&[
        os("exercise"),
        fixture("rules.thr").as_os_str(),
        pack_csv.as_os_str(),
        fixture("responses_rejects.csv").as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("line 4: vignette: no vignette `V99` in the pack"),
        "{stdout}"
    );
}

#[test]
fn empty_responses_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let pack_csv = tmp.path().join("pack.csv");
    std::fs::write(&pack_csv, "id,age,dash_score,indicators\nV01,4,,hygiene\n").unwrap();
    let o = run(&[
        os("exercise"),
        fixture("rules.thr").as_os_str(),
        pack_csv.as_os_str(),
        fixture("responses_empty.csv").as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no answers"));
}

fn session_args(pack_csv: &Path, responses: &Path) -> Vec<std::ffi::OsString> {
    vec![
        "exercise".into(),
        "run".into(),
        fixture("rules.thr").into(),
        pack_csv.into(),
        "--trainee".into(),
        "Ann Smith".into(),
        "--phase".into(),
        "pre".into(),
        "-o".into(),
        responses.into(),
    ]
}

fn small_pack(dir: &Path) -> PathBuf {
    let p = dir.join("pack.csv");
    std::fs::write(
        &p,
        "id,age,dash_score,indicators\nV01,4,,hygiene\nV02,0.5,,injury\nV03,10,,\n",
    )
    .unwrap();
    p
}

#[test]
fn terminal_mode_through_piped_stdin() {
    let tmp = tempfile::tempdir().unwrap();
    let pack_csv = small_pack(tmp.path());
    let responses = tmp.path().join("responses.csv");
    let mut child = bin()
        .args(session_args(&pack_csv, &responses))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"2\nnot sure\ntargeted\nq\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("`not sure` is not a level"), "{stdout}");
    assert!(stdout.contains("Hygiene often poor."));
    assert!(stdout.contains("Your results: 1 of 2"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&responses).unwrap(),
        "trainee,vignette,level,phase\nAnn Smith,V01,early_help,pre\nAnn Smith,V02,targeted,pre\n"
    );
    // Resuming skips what was answered.
    let mut child = bin()
        .args(session_args(&pack_csv, &responses))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"1\n").unwrap();
    let o = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("already answered 2 case(s)"), "{stdout}");
    assert!(stdout.contains("Your results: 2 of 3"), "{stdout}");
    let text = std::fs::read_to_string(&responses).unwrap();
    assert!(text.ends_with("Ann Smith,V03,universal,pre\n"), "{text}");
}

#[test]
fn no_reveal_never_shows_the_guidance() {
    let tmp = tempfile::tempdir().unwrap();
    let pack_csv = small_pack(tmp.path());
    let responses = tmp.path().join("responses.csv");
    let mut child = bin()
        .args(session_args(&pack_csv, &responses))
        .arg("--no-reveal")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"4
1
2
",
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("3 answer(s) saved"), "{stdout}");
    assert!(stdout.contains("not shown in this round"), "{stdout}");
    assert!(!stdout.contains("Your results"), "{stdout}");
    assert!(!stdout.contains("the guidance says"), "{stdout}");
    assert!(!stdout.contains("matches the guidance"), "{stdout}");
}

#[test]
fn terminal_mode_through_a_pseudo_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pack_csv = small_pack(tmp.path());
    let responses = tmp.path().join("responses.csv");
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    let mut cmdline = quote(os(env!("CARGO_BIN_EXE_thresholds")));
    for a in session_args(&pack_csv, &responses) {
        cmdline.push(' ');
        cmdline.push_str(&quote(&a));
    }
    // `script` runs the command on a new pseudo-terminal and copies our
    // piped input to it line by line.
    let mut child = Command::new("script")
        .args(["-qec", &cmdline, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for line in ["4", "Level 4 - Specialist", "maybe", "1"] {
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.write_all(b"\n").unwrap();
            std::thread::sleep(std::time::Duration::from_millis(150));
        }
    }
    let o = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A terminal turns "\n" into "\r\n": proof the program ran on a tty.
    assert!(stdout.contains("\r\n"), "{stdout}");
    assert!(stdout.contains("`maybe` is not a level"), "{stdout}");
    assert!(stdout.contains("Your results: 2 of 3"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&responses).unwrap(),
        "trainee,vignette,level,phase\nAnn Smith,V01,specialist,pre\nAnn Smith,V02,specialist,pre\nAnn Smith,V03,universal,pre\n"
    );
}
