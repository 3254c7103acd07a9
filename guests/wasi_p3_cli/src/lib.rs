//! `wasi_p3_cli NAME [UP]` prints the greeting, as wasi_cli_rust does, through WASI 0.3
//! only: an async `wasi:cli/run@0.3.0` export, arguments from
//! `wasi:cli/environment@0.3.0`, stdout as a component-model stream. Built for
//! wasm32-unknown-unknown, so std adds no WASI 0.2 import.

use wasip3::cli::{environment, stdout};
use wasip3::wit_stream;

struct Command;

impl wasip3::exports::cli::run::Guest for Command {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        let name = args.get(1).map(String::as_str).unwrap_or("world");
        let up = args.get(2).is_some_and(|a| a == "true");
        let line = format!("{}\n", greeting::greet(name, up));
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let rest = tx.write_all(line.into_bytes()).await;
            assert!(rest.is_empty(), "stdout closed early");
        });
        stdout::write_via_stream(rx).await.map_err(|_| ())
    }
}

wasip3::cli::command::export!(Command);
