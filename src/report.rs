//! Renderers: everything that turns results into text for people or files.
//!
//! A report builds one [`doc::Document`] (sections, tables of typed cells,
//! charts, notes) and the renderers in [`doc`] write it as text, Markdown,
//! HTML or Excel; JSON is a serde structure of the analysis itself.
//!
//! Shared helpers any report can use: [`html`] (escaping, a self-contained
//! page, inline SVG charts), [`markdown`] (escaping),
//! [`xlsx`] (typed cells, frozen header tables, sheet names) and [`cell`]
//! (formula-injection neutralising for CSV and Excel).

pub mod audit;
pub mod cell;
pub mod diagnostics;
pub mod diff;
pub mod doc;
pub mod exercise;
pub mod explain;
pub mod html;
pub mod markdown;
pub mod score;
pub mod xlsx;
