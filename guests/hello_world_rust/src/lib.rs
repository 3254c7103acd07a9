//! Exports `pdureau:wasm-demo/greeter`. Built for wasm32-wasip2 with std (as the seed
//! did), which drags in WASI imports the code never uses (rust-lang/rust#133235); the
//! same source built for wasm32-unknown-unknown is `hello_world_rust_no_wasi`.

wit_bindgen::generate!({ world: "hello-world", path: "wit" });

struct Component;

impl exports::pdureau::wasm_demo::greeter::Guest for Component {
    fn greet(name: String, up: bool) -> String {
        greeting::greet(&name, up)
    }
}

export!(Component);
