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

use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;

/// Serves the app on an already bound listener until the process is
/// stopped (Ctrl-C). Two worker threads: enough for a room of sixty on a
/// laptop, and small. Each connection is served as HTTP/1 on its own task;
/// a failed accept (for example too many open files) waits a moment and
/// goes on, as `axum::serve` does.
pub fn run(app: Arc<http::App>, listener: std::net::TcpListener) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()?;
    rt.block_on(async move {
        let l = tokio::net::TcpListener::from_std(listener)?;
        let router = http::router(app);
        loop {
            let stream = match l.accept().await {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let service = TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                // A connection that breaks off mid-request is the client's
                // affair; the room's state is untouched.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
