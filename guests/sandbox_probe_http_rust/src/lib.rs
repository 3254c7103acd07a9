//! The sandbox probe as an HTTP handler: `GET /probe?t=TARGET&t=TARGET` answers 200 with
//! one line per capability attempt, outgoing HTTP included (wasi:http/outgoing-handler);
//! and as the function `wasmtui:probe/probe.attempt`, for hosts that only call functions
//! (the browser), outgoing HTTP included too.

wit_bindgen::generate!({ world: "sandbox-probe", path: "wit" });

use wasi::http::types::{IncomingRequest, ResponseOutparam};

struct Component;

impl exports::wasmtui::probe::probe::Guest for Component {
    fn attempt(targets: Vec<String>) -> Vec<String> {
        probe::attempt(&targets)
    }
}

impl wasi::exports::http::incoming_handler::Guest for Component {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        let query = path.split_once('?').map(|(_, q)| q).unwrap_or("");
        let targets: Vec<String> = query
            .split('&')
            .filter_map(|kv| kv.split_once('=').map(|(_, v)| v.to_string()))
            .collect();
        let mut text = probe::attempt(&targets).join("\n");
        text.push('\n');
        greeting::respond(response_out, &text);
    }
}

export!(Component);
wasi::http::proxy::export!(Component);
