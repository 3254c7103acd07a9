//! Exports wasi:http/incoming-handler and the greeter: `GET /Belgium` answers 200 with
//! `Hello, /Belgium` (the greeting of the request's path).

use wasi::http::types::{IncomingRequest, ResponseOutparam};

wit_bindgen::generate!({ world: "wasi-http", path: "wit" });

struct Component;

impl exports::pdureau::wasm_demo::greeter::Guest for Component {
    fn greet(name: String, up: bool) -> String {
        greeting::greet(&name, up)
    }
}

impl wasi::exports::http::incoming_handler::Guest for Component {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        greeting::handle_http(request, response_out);
    }
}

export!(Component);
wasi::http::proxy::export!(Component);
