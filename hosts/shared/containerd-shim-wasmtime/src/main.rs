//! containerd-shim-wasmtime-v1: a minimal runwasi shim for wasmtui's cloud hosts.
//!
//! runwasi publishes its library (`containerd-shim-wasm`) on crates.io but not its
//! wasmtime shim, so this is one built on the library's documented Shim/Sandbox pattern.
//! Like upstream's containerd-shim-wasmtime it picks what to run from the component's
//! exports, the FIRST of `wasi:cli/run` or `wasi:http/incoming-handler` winning (upstream:
//! `ComponentTarget::new` in crates/containerd-shim-wasmtime/src/instance.rs):
//! - a command runs `wasi:cli/run` with the container's args; its exit code is the task's;
//! - an HTTP component is served on WASMTIME_HTTP_PROXY_SOCKET_ADDR (default
//!   0.0.0.0:8080, as upstream) until the task is killed.
//! Unlike upstream, the guest gets no preopened directory, no network and no outgoing HTTP
//! of its own: only the container's args, stdio, and the variables wasmtui names.
//! wasmtui's adapter passes two variables the shim reads and never shows the guest:
//! - WASMTUI_ENV: the names of the variables the check gives the guest (comma-separated);
//!   every other variable of the container (containerd's default PATH...) is dropped;
//! - WASMTUI_GRANTS: `network` (wasi:sockets reaches any address) and/or `http-outgoing`
//!   (wasi:http/outgoing-handler sends requests; otherwise it answers HTTP-request-denied);
//! - WASMTUI_MEMORY_LIMIT: bytes a linear memory may grow to (memory.grow fails past it).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::{Entrypoint, RuntimeContext};
use containerd_shim_wasm::shim::{Cli, Shim, Version, version};
use hyper::server::conn::http1;
use tokio::net::TcpListener;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::bindings::Command;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{
    RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView,
};

const DEFAULT_HTTP_ADDR: &str = "0.0.0.0:8080";
/// Marks the shim's own error on the task's stderr (adapters/containerd_common reads it).
const SHIM_ERROR: &str = "containerd-shim-wasmtime: the component failed: ";

struct WasmtimeShim;

#[derive(Default)]
struct WasmtimeSandbox;

impl Shim for WasmtimeShim {
    type Sandbox = WasmtimeSandbox;

    fn name() -> &'static str {
        "wasmtime"
    }

    fn version() -> Version {
        version!()
    }
}

/// Per-store state: WASI p2 and wasi:http.
struct Host {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: Outgoing,
    limits: StoreLimits,
}

/// What the check grants the guest (WASMTUI_GRANTS).
#[derive(Clone, Copy, Default)]
struct Grants {
    network: bool,
    http_outgoing: bool,
    memory_limit: Option<usize>,
}

/// Outgoing HTTP: sent only when granted, otherwise refused as HTTP-request-denied.
struct Outgoing {
    allowed: bool,
}

type Sent = Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>;

impl WasiHttpHooks for Outgoing {
    fn send_request(
        &mut self,
        request: hyper::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Sent,
    ) -> Box<dyn Future<Output = wasmtime_wasi_http::Result<(hyper::Response<WasiBody>, Sent)>> + Send>
    {
        let _ = fut;
        if !self.allowed {
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (res, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((res.map(BodyExt::boxed_unsync), Box::new(io) as Sent))
        })
    }
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// The container's args, the variables wasmtui named, its stdio, and what is granted.
fn host_state(args: &[String], envs: &[(String, String)], grants: Grants) -> Host {
    let mut builder = WasiCtx::builder();
    builder.args(args).envs(envs).inherit_stdio();
    if grants.network {
        // Any address, over TCP and UDP (wasmtime-wasi 48 allows neither by default).
        builder.inherit_network().allow_tcp(true).allow_udp(true);
    }
    Host {
        wasi: builder.build(),
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
        hooks: Outgoing { allowed: grants.http_outgoing },
        limits: match grants.memory_limit {
            Some(bytes) => StoreLimitsBuilder::new().memory_size(bytes).build(),
            None => StoreLimits::default(),
        },
    }
}

/// A store for one run of the guest, its memory limited as the check says.
fn new_store(engine: &Engine, host: Host) -> Store<Host> {
    let mut store = Store::new(engine, host);
    store.limiter(|h| &mut h.limits);
    store
}

/// The guest's variables (only those WASMTUI_ENV names) and the grants.
fn sandbox(all: &[(String, String)]) -> (Vec<(String, String)>, Grants) {
    let get = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    let names: Vec<&str> = get("WASMTUI_ENV").split(',').filter(|n| !n.is_empty()).collect();
    let granted: Vec<&str> = get("WASMTUI_GRANTS").split(',').collect();
    let envs = all.iter().filter(|(k, _)| names.contains(&k.as_str())).cloned().collect();
    let grants = Grants {
        network: granted.contains(&"network"),
        http_outgoing: granted.contains(&"http-outgoing"),
        memory_limit: get("WASMTUI_MEMORY_LIMIT").parse().ok(),
    };
    (envs, grants)
}

enum Target {
    Command,
    Http,
}

impl Sandbox for WasmtimeSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        // runwasi ends the task with 137 and logs the error where no one reads it: say
        // every failure (not a component, a linker refusal, a trap) on the task's stderr,
        // once, marked, so the adapter can tell the host's refusal from the guest's exit.
        run_component(ctx).await.inspect_err(|e| eprintln!("{SHIM_ERROR}{e:?}"))
    }
}

/// Runs the entrypoint: a command's exit code, or serves an HTTP component until stopped.
async fn run_component(ctx: &impl RuntimeContext) -> Result<i32> {
    let Entrypoint { source, .. } = ctx.entrypoint();
    let bytes = source.as_bytes()?;
    let mut config = Config::new();
    config.wasm_component_model(true);
    let engine = Engine::new(&config)?;
    let component = Component::from_binary(&engine, &bytes)
        .map_err(anyhow::Error::from)
        .context("the entrypoint does not compile as a WebAssembly component here")?;
    let target = component
        .component_type()
        .exports(&engine)
        .find_map(|(name, _)| {
            if name.starts_with("wasi:http/incoming-handler") {
                Some(Target::Http)
            } else if name.starts_with("wasi:cli/run") {
                Some(Target::Command)
            } else {
                None
            }
        });
    let all: Vec<(String, String)> = ctx
        .envs()
        .iter()
        .map(|v| {
            let (k, v) = v.split_once('=').unwrap_or((v.as_str(), ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let (envs, grants) = sandbox(&all);
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    match target {
        Some(Target::Command) => {
            let mut store = new_store(&engine, host_state(ctx.args(), &envs, grants));
            let command = Command::instantiate_async(&mut store, &component, &linker).await?;
            match command.wasi_cli_run().call_run(&mut store).await {
                Ok(Ok(())) => Ok(0),
                Ok(Err(())) => Ok(1),
                Err(e) => match e.downcast_ref::<I32Exit>() {
                    Some(exit) => Ok(exit.0),
                    None => Err(e.into()),
                },
            }
        }
        Some(Target::Http) => {
            let addr = all
                .iter()
                .find(|(k, _)| k == "WASMTIME_HTTP_PROXY_SOCKET_ADDR")
                .map(|(_, v)| v.as_str())
                .unwrap_or(DEFAULT_HTTP_ADDR);
            let args = ctx.args().to_vec();
            serve(engine, linker, component, addr.parse()?, args, envs, grants).await
        }
        None => bail!("the component exports neither wasi:cli/run nor wasi:http/incoming-handler"),
    }
}

/// Serves the incoming-handler over HTTP/1.1, a fresh instance per request.
async fn serve(
    engine: Engine,
    linker: Linker<Host>,
    component: Component,
    addr: SocketAddr,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    grants: Grants,
) -> Result<i32> {
    let pre = ProxyPre::new(linker.instantiate_pre(&component)?)?;
    let listener = TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    eprintln!("Serving HTTP on http://{}/", listener.local_addr()?);
    let state = Arc::new((pre, args, envs, grants));
    let _ = &engine;
    loop {
        let (client, _) = listener.accept().await?;
        let state = state.clone();
        tokio::task::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { handle(&state.0, &state.1, &state.2, state.3, req).await }
            });
            if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(client), service).await {
                eprintln!("error serving a client: {e:?}");
            }
        });
    }
}

async fn handle(
    pre: &ProxyPre<Host>,
    args: &[String],
    envs: &[(String, String)],
    grants: Grants,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<HyperOutgoingBody>> {
    let mut store = new_store(pre.engine(), host_state(args, envs, grants));
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let req = store.data_mut().http().new_incoming_request(Scheme::Http, req)?;
    let out = store.data_mut().http().new_response_outparam(sender)?;
    let pre = pre.clone();
    let task = tokio::task::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy.wasi_http_incoming_handler().call_handle(store, req, out).await.map_err(anyhow::Error::from)
    });
    match receiver.await {
        Ok(Ok(resp)) => {
            // The handler goes on writing the body after the response is set: a trap
            // from here on is reported as `wasmtime serve` reports it, or a client that
            // got a body cut short (and ended cleanly) would never know.
            tokio::task::spawn(async move {
                match task.await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => eprintln!("worker failed: {e:?}"),
                    Err(e) => eprintln!("worker failed: {e:?}"),
                }
            });
            Ok(resp)
        }
        Ok(Err(e)) => Err(e.into()),
        Err(_) => {
            let e = match task.await {
                Ok(Ok(())) => anyhow::anyhow!("the guest never set a response"),
                Ok(Err(e)) => e,
                Err(e) => e.into(),
            };
            Err(e.context("the guest never set a response"))
        }
    }
}

fn main() {
    WasmtimeShim::run(None);
}
