//! The sandbox probe: tries each capability a guest could be given and reports, one line
//! per attempt, what it got. wasmtui's core reads these lines (the format is
//! `CAPABILITY: granted DETAIL` or `CAPABILITY: denied (WHY)`) and checks them against
//! the check's grants and against its own loopback witness, which records whatever
//! reached it: the guest's word is never the only evidence.
//!
//! Targets are URLs the core gives (`tcp://127.0.0.1:PORT/TOKEN`,
//! `http://127.0.0.1:PORT/TOKEN`); the TOKEN tells the witness which check reached it.

use std::net::SocketAddrV4;

/// Every line of one probe run, in a fixed order: env, filesystem, then one line per
/// target.
pub fn attempt(targets: &[String]) -> Vec<String> {
    let mut lines = vec![env(), filesystem()];
    for target in targets {
        if let Some(rest) = target.strip_prefix("tcp://") {
            lines.push(sockets(rest));
        } else if let Some(rest) = target.strip_prefix("http://") {
            lines.push(http_outgoing(rest));
        } else if !target.is_empty() {
            lines.push(format!("unknown-target: {target}"));
        }
    }
    lines
}

/// The variables the guest can see, by name.
fn env() -> String {
    let mut names: Vec<String> = wasi::cli::environment::get_environment()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    names.sort();
    if names.is_empty() {
        "env: denied (no variables)".into()
    } else {
        format!("env: granted {}", names.join(","))
    }
}

/// The preopened directories, by guest path: a WASI p2 guest reaches files only
/// through them (an absolute path resolves against a preopen or nowhere).
fn filesystem() -> String {
    let mut dirs: Vec<String> = wasi::filesystem::preopens::get_directories()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        let root = std::fs::read_dir("/")
            .map(|_| "readable")
            .unwrap_or_else(|_| "unreadable");
        return format!("filesystem: denied (no preopens; / is {root})");
    }
    format!("filesystem: granted {}", dirs.join(","))
}

/// A TCP connection to the witness through wasi:sockets (the sysroot's libc has no
/// sockets, so not through std::net), which then reads the token.
fn sockets(target: &str) -> String {
    use wasi::sockets::network::{ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};

    let (addr, token) = target.split_once('/').unwrap_or((target, ""));
    let addr: SocketAddrV4 = match addr.parse() {
        Ok(a) => a,
        Err(e) => return format!("sockets: denied (bad target {addr}: {e})"),
    };
    let socket = match wasi::sockets::tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4) {
        Ok(s) => s,
        Err(e) => return format!("sockets: denied ({})", e.name()),
    };
    let [a, b, c, d] = addr.ip().octets();
    let remote = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: addr.port(),
        address: (a, b, c, d),
    });
    let network = wasi::sockets::instance_network::instance_network();
    if let Err(e) = socket.start_connect(&network, remote) {
        return format!("sockets: denied ({})", e.name());
    }
    let ready = socket.subscribe();
    let timer = wasi::clocks::monotonic_clock::subscribe_duration(5_000_000_000);
    loop {
        match socket.finish_connect() {
            Ok((_input, output)) => {
                return match output.blocking_write_and_flush(format!("{token}\n").as_bytes()) {
                    Ok(()) => "sockets: granted (connected)".into(),
                    Err(e) => format!("sockets: granted (connected; write failed: {e:?})"),
                };
            }
            Err(ErrorCode::WouldBlock) => {
                if wasi::io::poll::poll(&[&ready, &timer]).contains(&1) {
                    return "sockets: denied (timed out)".into();
                }
            }
            Err(e) => return format!("sockets: denied ({})", e.name()),
        }
    }
}

#[cfg(not(feature = "http"))]
fn http_outgoing(_target: &str) -> String {
    "http-outgoing: denied (this probe does not import wasi:http)".into()
}

/// A GET to the witness through wasi:http/outgoing-handler.
#[cfg(feature = "http")]
fn http_outgoing(target: &str) -> String {
    use wasi::http::outgoing_handler;
    use wasi::http::types::{Fields, Method, OutgoingRequest, Scheme};

    let (authority, path) = target.split_once('/').unwrap_or((target, ""));
    let request = OutgoingRequest::new(Fields::new());
    let _ = request.set_method(&Method::Get);
    let _ = request.set_scheme(Some(&Scheme::Http));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(&format!("/{path}")));
    let response = match outgoing_handler::handle(request, None) {
        Ok(future) => {
            future.subscribe().block();
            future.get()
        }
        Err(e) => return format!("http-outgoing: denied ({e:?})"),
    };
    match response {
        Some(Ok(Ok(r))) => format!("http-outgoing: granted (status {})", r.status()),
        Some(Ok(Err(e))) => format!("http-outgoing: denied ({e:?})"),
        other => format!("http-outgoing: denied ({other:?})"),
    }
}
