//! The HTML reports as a browser lays them out: headless Chromium (Debian's
//! `chromium`; `.ci/run` installs it) opens the audit and diff reports of
//! the shipped sample at 1280 px and the test reads back how wide and tall
//! the page is. Nothing may run past the right edge, and a screenshot must
//! come out at the window's width.
//!
//! Without Chromium the test says so and passes, except under CI (`CI` set),
//! where a missing browser fails it: the check must run somewhere.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails on any error"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{chromium, thresholds, CHROMIUM_FLAGS};

/// Runs headless Chromium on `page` at 1280 px wide with `extra` arguments;
/// its stdout.
fn browse(chrome: &Path, profile: &Path, page: &Path, extra: &[String]) -> String {
    let out = Command::new(chrome)
        .args(CHROMIUM_FLAGS)
        .args(["--hide-scrollbars", "--window-size=1280,2000"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (scroll width, window width, scroll height) of `html` as laid out. The
/// page's own Content-Security-Policy forbids scripts (rightly), so a copy
/// without it gets a script that writes the figures into the DOM.
fn measure(chrome: &Path, dir: &Path, html: &str) -> (u32, u32, u32) {
    let csp = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = csp + html[csp..].find('>').unwrap() + 1;
    let script = "<script>var d=document.documentElement;document.body.setAttribute(\
        'data-size',d.scrollWidth+'x'+window.innerWidth+'x'+d.scrollHeight)</script></body>";
    let probe = format!("{}{}", &html[..csp], &html[end..]).replace("</body>", script);
    let page = dir.join("probe.html");
    std::fs::write(&page, probe).unwrap();
    let dom = browse(chrome, &dir.join("profile"), &page, &["--dump-dom".into()]);
    let at = dom.find("data-size=\"").expect("the probe ran") + "data-size=\"".len();
    let size: Vec<u32> = dom[at..]
        .split('"')
        .next()
        .unwrap()
        .split('x')
        .map(|n| n.parse().unwrap())
        .collect();
    (size[0], size[1], size[2])
}

/// A PNG's (width, height) from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[1..4], b"PNG", "not a PNG");
    let n = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    (n(16), n(20))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn audit_and_diff_pages_fit_1280_pixels() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let rules = root().join("rules/continuum.thr");
    let data = root().join("samples/referrals.csv");
    // A new rule set that moves levels, so the diff page has every section.
    let new_rules = dir.path().join("new.thr");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(
        &new_rules,
        text.replacen("then at least ", "then raise 1, at least ", 3),
    )
    .unwrap();
    for sub in ["scripts"] {
        let (from, to) = (root().join("rules").join(sub), dir.path().join(sub));
        if from.is_dir() {
            std::fs::create_dir_all(&to).unwrap();
            for f in std::fs::read_dir(from).unwrap() {
                let f = f.unwrap().path();
                std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
        }
    }
    let audit = dir.path().join("audit.html");
    let diff = dir.path().join("diff.html");
    let (r, d, n, a, df) = (
        rules.to_str().unwrap(),
        data.to_str().unwrap(),
        new_rules.to_str().unwrap(),
        audit.to_str().unwrap(),
        diff.to_str().unwrap(),
    );
    let out = thresholds(&["audit", r, d, "--by", "agency", "-o", a]);
    assert!(out.status.success(), "{out:?}");
    let out = thresholds(&["diff", r, n, d, "-o", df]);
    assert!(out.status.success(), "{out:?}");
    for page in [&audit, &diff] {
        let name = page.file_name().unwrap().to_string_lossy().to_string();
        let html = std::fs::read_to_string(page).unwrap();
        let (scroll, window, height) = measure(&chrome, dir.path(), &html);
        assert!(window >= 1200, "{name}: window {window} px");
        assert!(
            scroll <= window,
            "{name}: {scroll} px wide in a {window} px window (runs off the right edge)"
        );
        assert!(height > 1000, "{name}: only {height} px tall: is it empty?");
        let shot = dir.path().join(format!("{name}.png"));
        browse(
            &chrome,
            &dir.path().join("profile"),
            page,
            &[format!("--screenshot={}", shot.display())],
        );
        let (w, h) = png_size(&std::fs::read(&shot).unwrap());
        assert_eq!((w, h), (1280, 2000), "{name}: screenshot size");
    }
}

/// Printed, the audit's long tables (the evidence list, the rules) go on
/// landscape pages in a smaller type: the sample's audit prints in fewer
/// than 30 pages (42 before, all portrait).
#[test]
fn the_audit_prints_its_long_tables_landscape() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("audit.html");
    let out = thresholds(&[
        "audit",
        root().join("rules/continuum.thr").to_str().unwrap(),
        root().join("samples/referrals.csv").to_str().unwrap(),
        "--by",
        "agency",
        "--period",
        "quarter",
        "--reason",
        "rationale",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<div class=\"table long\">"),
        "the evidence is long"
    );
    let pdf = dir.path().join("audit.pdf");
    browse(
        &chrome,
        &dir.path().join("profile"),
        &page,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    // Page objects are `/Type /Page` (the page tree is `/Type /Pages`).
    let text = String::from_utf8_lossy(&bytes);
    let pages = text
        .match_indices("/Type /Page")
        .filter(|(i, _)| !text[i + 11..].starts_with('s'))
        .count();
    assert!((5..30).contains(&pages), "{pages} printed pages");
}
