//! `exercise serve` (SPEC §7.1): a live threshold exercise for a room, as a
//! small local web server. [`room`] holds the state and writes every answer
//! to the responses CSV; [`http`] is the JSON API and the pages on axum;
//! [`pages`] are the trainee and trainer pages (self-contained); [`qr`] draws
//! the QR code of the trainees' address. This layer sits above `report`
//! (the summary is the §7 report) and below `cli`, which reads the files,
//! binds the port and prints the addresses.

pub mod http;
pub mod pages;
pub mod qr;
pub mod room;

use std::sync::Arc;

/// Serves the app on an already bound listener until the process is
/// stopped (Ctrl-C). Two worker threads: enough for a room of sixty on a
/// laptop, and small.
pub fn run(app: Arc<http::App>, listener: std::net::TcpListener) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()?;
    rt.block_on(async move {
        let l = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(l, http::router(app)).await
    })
}
