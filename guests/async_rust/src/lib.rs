//! Async exports without WASI: the component-model async ABI as wit-bindgen lifts it
//! (a callback per task). Its guest.toml states the canonical JSON of every call, the
//! same on every host that can call async exports; the others say so before running.

wit_bindgen::generate!({ world: "async-exports", path: "wit" });

use exports::wasmtui::conformance::async_calls::Guest;

struct Component;

impl Guest for Component {
    fn plain_add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }
    async fn add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }
    async fn echo(s: String) -> String {
        s
    }
    async fn add_after_yields(a: u32, b: u32, times: u8) -> u32 {
        for _ in 0..times {
            wit_bindgen::yield_async().await;
        }
        a.wrapping_add(b)
    }
    async fn boom(after_yields: u8) -> u32 {
        for _ in 0..after_yields {
            wit_bindgen::yield_async().await;
        }
        panic!("boom after {after_yields} yields")
    }
}

export!(Component);
