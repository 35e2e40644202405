//! Issue 13, script paths (SPEC §3): a `script` path must name a regular
//! file inside the rule file's folder after resolving symlinks. A symlink
//! leaving the folder, a FIFO, a device or a folder is refused without
//! reading it, and no line of a refused file is ever printed.

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const RULES: &str = "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\nscript \"scripts/x.rhai\"\ndomain d \"D\" { indicator i \"I\" at high }\nrule r \"R\" when x() > 1 then at least high\n";

/// A temporary folder holding `rules.thr` and an empty `scripts/`.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.thr"), RULES).unwrap();
    std::fs::create_dir(dir.path().join("scripts")).unwrap();
    dir
}

/// Runs `thresholds check rules.thr` in `dir`, killing it after 20 s.
fn check(dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(["check", "rules.thr"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`thresholds check` did not finish within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_symlink_to_etc_passwd_is_refused_and_none_of_its_lines_printed() {
    let dir = setup();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("scripts/x.rhai")).unwrap();
    let out = check(dir.path());
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("script-load"), "{all}");
    assert!(
        all.contains("script `scripts/x.rhai` is refused: it leads outside the rule file's folder"),
        "{all}"
    );
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            !all.contains(line),
            "a line of /etc/passwd was printed: {line}\n{all}"
        );
    }
    assert!(!all.contains("root:"), "{all}");
}

#[test]
fn a_symlink_to_a_file_outside_through_dotdot_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.rhai"), "SECRET-LINE-42\n").unwrap();
    let dir = outer.path().join("rules");
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::fs::write(dir.join("rules.thr"), RULES).unwrap();
    std::os::unix::fs::symlink("../../secret.rhai", dir.join("scripts/x.rhai")).unwrap();
    let out = check(&dir);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("leads outside the rule file's folder"),
        "{all}"
    );
    assert!(!all.contains("SECRET-LINE-42"), "{all}");
}

#[test]
fn a_symlink_to_dev_zero_is_refused_without_reading_it() {
    let dir = setup();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("scripts/x.rhai")).unwrap();
    let started = Instant::now();
    let out = check(dir.path());
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("script `scripts/x.rhai` is refused"), "{all}");
    assert!(started.elapsed() < Duration::from_secs(10), "{all}");
}

#[test]
fn a_fifo_is_refused_without_hanging() {
    let dir = setup();
    let fifo = dir.path().join("scripts/x.rhai");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let out = check(dir.path());
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains(
            "script `scripts/x.rhai` is refused: it is a named pipe (FIFO), not a regular file"
        ),
        "{all}"
    );
}

#[test]
fn a_folder_is_refused() {
    let dir = setup();
    std::fs::create_dir(dir.path().join("scripts/x.rhai")).unwrap();
    let out = check(dir.path());
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("it is a folder, not a regular file"), "{all}");
}

#[test]
fn a_symlink_staying_inside_the_folder_is_read() {
    let dir = setup();
    std::fs::write(dir.path().join("real.rhai"), "fn x(r) { 2 }\n").unwrap();
    std::os::unix::fs::symlink("../real.rhai", dir.path().join("scripts/x.rhai")).unwrap();
    let out = check(dir.path());
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
}

#[test]
fn a_script_over_the_byte_cap_is_refused() {
    let dir = setup();
    let big = format!("fn x(r) {{ 2 }}\n//{}\n", "a".repeat(4 * 1024 * 1024));
    std::fs::write(dir.path().join("scripts/x.rhai"), big).unwrap();
    let out = check(dir.path());
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("is larger than 4 MB"), "{all}");
}
