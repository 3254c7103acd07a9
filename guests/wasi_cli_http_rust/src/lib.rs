//! Both worlds in one component: `run NAME [UP]` prints the greeting, and an HTTP
//! request is answered with the greeting of its path.

use wasi::http::types::{IncomingRequest, ResponseOutparam};

struct Component;

impl wasi::exports::cli::run::Guest for Component {
    fn run() -> Result<(), ()> {
        let args = wasi::cli::environment::get_arguments();
        let name = args.get(1).map(String::as_str).unwrap_or("world");
        let up = args.get(2).is_some_and(|a| a == "true");
        println!("{}", greeting::greet(name, up));
        Ok(())
    }
}

impl wasi::exports::http::incoming_handler::Guest for Component {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        greeting::handle_http(request, response_out);
    }
}

wasi::cli::command::export!(Component);
wasi::http::proxy::export!(Component);
