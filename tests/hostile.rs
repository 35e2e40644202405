//! The hostile-input corpus (tests/hostile/cases.tsv): each input must end
//! with its expected exit code and message, without a crash, a hang or
//! unbounded memory. Large inputs are generated into a temporary folder.
//! A table of outcomes, times and peak memory is written to
//! target/hostile-report.md (times are reported, never asserted).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test harness"
)]

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
    generate_data(dir);
}

/// The referral data columns `files/data_rules.thr` needs (an empty
/// `indicators` column: the header check requires one).
const DATA_HEADER: &str = "id,age,disabled,agency,indicators";
const DATA_ROW: &str = "3,no,police,";

/// Writes the generated data files (CSV, JSON, JSON Lines, xlsx).
fn generate_data(dir: &Path) {
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).expect("write generated data");
    };
    let row = |id: &str| format!("{id},{DATA_ROW}\n");
    let object = |id: &str, agency: &str| {
        format!(r#"{{"id":"{id}","age":3,"disabled":false,"agency":"{agency}"}}"#)
    };

    // 1,000,000 columns (header and one row): past the column limit.
    let n = 1_000_000 - 5;
    write(
        "columns_1m.csv",
        format!(
            "{DATA_HEADER}{}\nR1,{DATA_ROW}{}\n",
            ",x".repeat(n),
            ",1".repeat(n)
        )
        .as_bytes(),
    );
    // 10,000 columns (unnamed, empty) on 12,000 rows: within the limits, and
    // memory must not grow with batch size times row width.
    let pad = ",".repeat(10_000 - 5);
    let mut wide = format!("{DATA_HEADER}{pad}\n");
    for k in 0..12_000 {
        let _ = writeln!(wide, "R{k},{DATA_ROW}{pad}");
    }
    write("columns_10k_rows_12k.csv", wide.as_bytes());
    drop(wide);
    // One cell of 100 MB: longer than a row may be.
    let mut big = format!("{DATA_HEADER}\nR1,3,no,").into_bytes();
    big.resize(big.len() + 100 * 1024 * 1024, b'x');
    big.extend_from_slice(format!("\n{}", row("R2")).as_bytes());
    write("cell_100mb.csv", &big);
    drop(big);
    // One cell of 2 MB: a row may hold it, a cell may not.
    write(
        "cell_2mb.csv",
        format!(
            "{DATA_HEADER}\n{}R2,3,no,{},\n{}",
            row("R1"),
            "x".repeat(2 << 20),
            row("R3")
        )
        .as_bytes(),
    );
    // 100,000 rows with the same id.
    write(
        "duplicate_ids_100k.csv",
        format!("{DATA_HEADER}\n{}", row("R1").repeat(100_000)).as_bytes(),
    );
    // A million rejected rows: more than are held in memory (the rest
    // spill to a temporary file); every one is counted and listed.
    write(
        "rejects_over_limit.csv",
        format!("{DATA_HEADER}\n{}", row("R1").repeat(1_000_002)).as_bytes(),
    );
    // 1 MB of `;`-separated indicators: known ones are read; an unknown one
    // at the very end is found.
    let many = "a;b;".repeat(250_000 - 1);
    write(
        "indicators_1mb.csv",
        format!("{DATA_HEADER}\nR1,{DATA_ROW}{many}a\nR2,{DATA_ROW}{many}zz\n").as_bytes(),
    );
    // JSON nested 100,000 deep, as an array and as one line of JSON Lines.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    write("deep.json", deep.as_bytes());
    write(
        "deep.jsonl",
        format!("{}\n{deep}\n{}\n", object("R1", "p"), object("R3", "p")).as_bytes(),
    );
    // A 5 MB JSON Lines line and a 5 MB element of a JSON array.
    let huge = object("R2", &"x".repeat(5 << 20));
    write(
        "line_5mb.jsonl",
        format!("{}\n{huge}\n{}\n", object("R1", "p"), object("R3", "p")).as_bytes(),
    );
    write(
        "element_5mb.json",
        format!("[{},{huge},{}]", object("R1", "p"), object("R3", "p")).as_bytes(),
    );

    // A zip bomb: about 2 MB of .xlsx (deflate tops out near 1:1000) whose
    // sheet XML inflates to 2 GB.
    let header_row = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>age</t></is></c><c r="C1" t="inlineStr"><is><t>disabled</t></is></c><c r="D1" t="inlineStr"><is><t>agency</t></is></c><c r="E1" t="inlineStr"><is><t>indicators</t></is></c></row>"#;
    xlsx(&dir.join("zip_bomb.xlsx"), |w| {
        w.write_all(header_row.as_bytes())?;
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..2048 {
            w.write_all(&spaces)?;
        }
        Ok(())
    });
    // A tiny sheet whose used range is the whole grid (A1 to XFD1048576).
    xlsx(&dir.join("corner_cells.xlsx"), |w| {
        w.write_all(header_row.as_bytes())?;
        w.write_all(br#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#)
    });
}

/// Writes a one-sheet workbook; `rows` writes the XML inside `<sheetData>`.
fn xlsx(path: &Path, rows: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    use std::io::Write as _;
    use zip::write::SimpleFileOptions;
    let ns = "http://schemas.openxmlformats.org";
    let parts = [
        (
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
    ];
    let file = std::fs::File::create(path).expect("create xlsx");
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, text) in parts {
        zip.start_file(name, opts).expect("zip part");
        zip.write_all(text.as_bytes()).expect("zip part");
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("zip sheet");
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>"#
    )
    .expect("zip sheet");
    rows(&mut zip).expect("zip sheet rows");
    zip.write_all(b"</sheetData></worksheet>")
        .expect("zip sheet");
    zip.finish().expect("zip finish");
}

struct Outcome {
    code: Option<i32>,
    output: String,
    secs: f64,
    peak_kb: Option<u64>,
}

/// The time limit of a script call for every case: a minute (the cases'
/// scripts end in milliseconds, at their own limits, on an idle machine).
const SCRIPT_MILLIS: (&str, &str) = ("THRESHOLDS_SCRIPT_MILLIS", "60000");

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
    // No case here is about the time limit of a script call: a generous
    // one lets each case meet the limit it is about (operations, stack,
    // string or array size) however loaded the machine, not 250 ms of
    // wall-clock time first.
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env(SCRIPT_MILLIS.0, SCRIPT_MILLIS.1);
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
    assert!(
        !cases.contains("took longer than"),
        "a case about the time limit cannot run under {SCRIPT_MILLIS:?}"
    );
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
