//! A greeter that needs a host function: `greet(name, up, reversed)` calls the imported
//! `pdureau:wasm-demo/formatter.reverse`, which the HOST must provide. Built for
//! wasm32-unknown-unknown so that `formatter` is its only import.

wit_bindgen::generate!({ world: "hello-world-imports", path: "wit" });

use pdureau::wasm_demo::formatter;

struct Component;

impl exports::pdureau::wasm_demo::greeter::Guest for Component {
    fn greet(name: String, up: bool, reversed: bool) -> String {
        let text = greeting::greet(&name, up);
        if reversed {
            formatter::reverse(&text)
        } else {
            text
        }
    }
}

export!(Component);
