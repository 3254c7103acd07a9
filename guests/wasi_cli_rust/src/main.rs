//! `wasi_cli_rust NAME [UP]` prints the greeting from the imported greeter.

wit_bindgen::generate!({ world: "wasi-cli", path: "wit" });

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("world");
    let up = args.get(2).is_some_and(|a| a == "true");
    println!("{}", pdureau::wasm_demo::greeter::greet(name, up));
}
