//! Every integration test, in one binary: each module is one former test
//! file (run one with `cargo test --test suite NAME::`). The tests run the
//! real `thresholds` binary on real files, or the library on generated
//! inputs; golden files live in tests/golden (tests/common/golden.rs).

#[path = "audit_cli.rs"]
mod audit_cli;
#[path = "audit_render.rs"]
mod audit_render;
#[path = "check_golden.rs"]
mod check_golden;
#[path = "cin_census.rs"]
mod cin_census;
#[path = "cin_sample.rs"]
mod cin_sample;
#[path = "common/mod.rs"]
mod common;
#[path = "data_formats.rs"]
mod data_formats;
#[path = "data_integrity.rs"]
mod data_integrity;
#[path = "diff_props.rs"]
mod diff_props;
#[path = "diff_reports.rs"]
mod diff_reports;
#[path = "diff_structure.rs"]
mod diff_structure;
#[path = "exercise_cli.rs"]
mod exercise_cli;
#[path = "exercise_golden.rs"]
mod exercise_golden;
#[path = "fmt.rs"]
mod fmt;
#[path = "common/golden.rs"]
mod golden;
#[path = "header_check.rs"]
mod header_check;
#[path = "hostile.rs"]
mod hostile;
#[path = "html_layout.rs"]
mod html_layout;
#[path = "outputs.rs"]
mod outputs;
#[path = "props.rs"]
mod props;
#[path = "pseudonymise.rs"]
mod pseudonymise;
#[path = "sample_coherence.rs"]
mod sample_coherence;
#[path = "score_props.rs"]
mod score_props;
#[path = "script_bounds.rs"]
mod script_bounds;
#[path = "script_files.rs"]
mod script_files;
#[path = "script_results.rs"]
mod script_results;
#[path = "script_reuse.rs"]
mod script_reuse;
#[path = "serve_api.rs"]
mod serve_api;
#[path = "serve_browser.rs"]
mod serve_browser;
#[path = "vignettes.rs"]
mod vignettes;
