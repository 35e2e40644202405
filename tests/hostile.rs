//! The hostile-input corpus (tests/hostile/cases.tsv): each input must end
//! with its expected exit code and message, without a crash, a hang or
//! unbounded memory. Large inputs are generated into a temporary folder.
//! A table of outcomes, times and peak memory is written to
//! target/hostile-report.md (times are reported, never asserted).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HEADER: &str = "continuum \"Hostile\"\nlevels { low \"Low\" high \"High\" }\nfields { x: number }\ndomain d \"D\" { indicator i \"I\" at high }\n";

/// Writes the generated inputs.
fn generate(dir: &Path) {
    let rule = |body: String| format!("{HEADER}rule r \"R\" when {body} then at least high\n");
    let files: Vec<(&str, String)> = vec![
        (
            "parens.thr",
            rule(format!("{}x > 1{}", "(".repeat(10_000), ")".repeat(10_000))),
        ),
        (
            "ors.thr",
            rule(
                (0..100_000)
                    .map(|k| format!("x > {k}"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            ),
        ),
        ("nots.thr", rule(format!("{}i", "not ".repeat(100_000)))),
        (
            "plus.thr",
            rule(format!("{} > 1", vec!["x"; 100_000].join(" + "))),
        ),
        (
            "bigid.thr",
            format!(
                "{HEADER}rule {} \"R\" when x > 1 then at least high\n",
                "r".repeat(1 << 20)
            ),
        ),
        (
            "big10.thr",
            format!("{HEADER}// {}\n", "x".repeat(10 * 1024 * 1024)),
        ),
        (
            "many.thr",
            format!(
                "{HEADER}{}",
                (0..100_000)
                    .map(|k| format!("rule r{k} \"R\" when i and x > {k} then at least high\n"))
                    .collect::<String>()
            ),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write generated input");
    }
}

struct Outcome {
    code: Option<i32>,
    output: String,
    secs: f64,
    peak_kb: Option<u64>,
}

/// Runs the binary under /usr/bin/time when it exists (for peak memory),
/// killing it after a generous limit so a hang fails the test.
fn run(args: &[String], cwd: &Path) -> Outcome {
    let bin = env!("CARGO_BIN_EXE_thresholds");
    let time = Path::new("/usr/bin/time");
    let stats = cwd.join(format!("time-{}.txt", args.join("_").len()));
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&stats).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn thresholds");
    let limit = Duration::from_secs(120);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{args:?} did not finish within {limit:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("collect output");
    let secs = start.elapsed().as_secs_f64();
    let peak_kb = std::fs::read_to_string(&stats)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()));
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Outcome {
        code: out.status.code(),
        output,
        secs,
        peak_kb,
    }
}

#[test]
fn hostile_inputs_end_cleanly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let work = tempfile::tempdir().expect("tempdir");
    // Copy the committed files and generate the large ones beside them.
    let files = work.path().join("files");
    copy_dir(&root.join("files"), &files);
    let gen = work.path().join("gen");
    std::fs::create_dir_all(&gen).expect("gen dir");
    generate(&gen);

    let cases = std::fs::read_to_string(root.join("cases.tsv")).expect("cases.tsv");
    let mut report =
        String::from("| case | exit | time (s) | peak RSS (MB) |\n|---|---:|---:|---:|\n");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, command, exit, needle] = cols[..] else {
            panic!("bad line in cases.tsv: {line}");
        };
        count += 1;
        let args: Vec<String> = command.split(' ').map(str::to_string).collect();
        let o = run(&args, work.path());
        let want: i32 = exit.parse().expect("exit code");
        let mb = o
            .peak_kb
            .map_or("?".to_string(), |k| format!("{:.0}", k as f64 / 1024.0));
        let _ = writeln!(
            report,
            "| {name} | {} | {:.2} | {mb} |",
            o.code.unwrap_or(-1),
            o.secs
        );
        if o.code != Some(want) || !o.output.contains(needle) {
            failures.push(format!(
                "{name}: expected exit {want} and `{needle}`, got {:?}:\n{}",
                o.code,
                o.output.chars().take(600).collect::<String>()
            ));
        }
        if let Some(kb) = o.peak_kb {
            if kb > 1024 * 1024 {
                failures.push(format!("{name}: peak memory {kb} KB is over 1 GB"));
            }
        }
    }
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let _ = std::fs::write(target.join("hostile-report.md"), &report);
    assert!(count >= 30, "the corpus shrank to {count} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}
