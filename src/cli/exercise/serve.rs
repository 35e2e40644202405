//! `thresholds exercise serve RULES VIGNETTES [-o RESPONSES] [--phase NAME]
//! [--bind ADDR] [--port N] [--no-reveal]` (SPEC §7.1): a live exercise for
//! a room. Reads the rules and the pack, carries on from RESPONSES when it
//! already holds answers, binds the port, prints the `trainees:` line (with
//! a QR code) and the `trainer:` line (with the token) on stdout, and
//! serves until stopped.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::super::{exit, CliError, CliResult, ErrorFormat};
use thresholds::serve::{self, http::App, pages, qr, room};

/// Arguments of `exercise serve`.
#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The vignette pack.
    pub vignettes: PathBuf,
    /// The responses file every answer is appended to (created when new; a
    /// restarted server carries on from it).
    #[arg(short, long, default_value = "responses.csv")]
    pub output: PathBuf,
    /// The phase, e.g. `pre` or `post`.
    #[arg(long)]
    pub phase: Option<String>,
    /// The address to listen on; `0.0.0.0` opens it to the room's network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The port; 0 takes a free one.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Never reveal the rules' levels (a pre-training round).
    #[arg(long)]
    pub no_reveal: bool,
}

/// The address to print for a listener: the machine's address on the room's
/// network when bound to all addresses, else the bound address.
fn shown_host(bound: SocketAddr) -> IpAddr {
    let ip = bound.ip();
    if !ip.is_unspecified() {
        return ip;
    }
    // The address the system would send from: a UDP "connect" only picks a
    // route and sends nothing. Without a network, the loopback address.
    std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|s| {
            s.connect((Ipv4Addr::new(192, 0, 2, 1), 9))?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

fn url(host: IpAddr, port: u16) -> String {
    match host {
        IpAddr::V4(a) => format!("http://{a}:{port}/"),
        IpAddr::V6(a) => format!("http://[{a}]:{port}/"),
    }
}

/// Runs `exercise serve`.
pub(super) fn run(a: ServeArgs, error_format: ErrorFormat) -> CliResult {
    let phase = a.phase.as_deref().map(str::trim).unwrap_or("").to_string();
    if phase.chars().any(char::is_control) {
        return Err(CliError::usage(
            "error: --phase cannot hold control characters",
        ));
    }
    let (plan, pack, opened) =
        super::open_exercise(&a.rules, &a.vignettes, &a.output, &phase, error_format)?;
    if !opened.has_phase_col && !phase.is_empty() {
        return Err(CliError::usage(format!(
            "error: `{}` has no `phase` column",
            a.output.display()
        )));
    }
    if !opened.earlier.rejects.is_empty() {
        eprintln!(
            "warning: {} row(s) of `{}` could not be read and are left out (see `thresholds exercise` on it)",
            opened.earlier.rejects.len(),
            a.output.display()
        );
    }
    let listener = TcpListener::bind((a.bind, a.port)).map_err(|e| {
        CliError::usage(format!(
            "error: cannot listen on {}: {e}",
            SocketAddr::new(a.bind, a.port)
        ))
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| CliError::usage(format!("error: cannot read the bound address: {e}")))?;
    let token = room::new_token().map_err(|e| CliError::usage(format!("error: {e}")))?;
    let log: Box<dyn room::Log> = if opened.has_phase_col {
        Box::new(room::CsvLog::new(opened.file))
    } else {
        Box::new(room::CsvLog::without_phase(opened.file))
    };
    let plan = Arc::new(plan);
    let r = room::Room::new(
        plan,
        pack,
        (!phase.is_empty()).then(|| phase.clone()),
        a.no_reveal,
        token.clone(),
        log,
    );
    let replaced = opened.earlier.replaced;
    let (resumed, names) = r.resume(opened.earlier.accepted, replaced);
    let trainees_url = url(shown_host(bound), bound.port());
    let trainer_url = format!("{trainees_url}trainer?token={token}");
    let app = Arc::new(App {
        room: r,
        trainee_page: pages::trainee(),
        trainer_page: pages::trainer(&trainees_url, &qr::svg(&trainees_url)),
    });
    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut text = format!("trainees: {trainees_url}\n");
        if let Some(code) = qr::terminal(&trainees_url) {
            text.push_str(&code);
            text.push('\n');
        }
        text.push_str(&format!("trainer: {trainer_url}\n"));
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| CliError::usage(format!("error: cannot write to stdout: {e}")))?;
    }
    if resumed > 0 {
        eprintln!(
            "carrying on from `{}`: {resumed} answer(s) from {names} trainee(s){}; they may join again with the same name",
            a.output.display(),
            if phase.is_empty() {
                String::new()
            } else {
                format!(" in phase {phase}")
            }
        );
    }
    if bound.ip().is_loopback() {
        eprintln!(
            "Only this computer can reach it; --bind 0.0.0.0 opens it to the room's network."
        );
    }
    eprintln!(
        "Answers are saved to `{}` as they come. Keep the trainer address to yourself. Press Ctrl-C to stop.",
        a.output.display()
    );
    thresholds::output::set_interrupt_note(format!(
        "stopped: every answer given is in `{}`; start the server again on it to carry on",
        a.output.display()
    ));
    serve::run(app, listener)
        .map_err(|e| CliError::usage(format!("error: the server stopped: {e}")))?;
    Ok(exit::OK)
}
