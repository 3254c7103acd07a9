//! map<K, V> without WASI: maps passed in, returned, empty and nested. Its guest.toml
//! states the canonical JSON (an array of [key, value] pairs) of every call.

wit_bindgen::generate!({ world: "map-exports", path: "wit" });

use exports::wasmtui::conformance::maps::Guest;

struct Component;

impl Guest for Component {
    fn lookup(m: wit_bindgen::rt::Map<String, u32>, key: String) -> Option<u32> {
        m.get(&key).copied()
    }
    fn numbered(n: u32) -> wit_bindgen::rt::Map<u32, String> {
        (0..n).map(|i| (i, format!("item-{i}"))).collect()
    }
    fn echo(m: wit_bindgen::rt::Map<String, u32>) -> wit_bindgen::rt::Map<String, u32> {
        m
    }
    fn lengths(
        words: Vec<String>,
    ) -> wit_bindgen::rt::Map<String, wit_bindgen::rt::Map<String, u8>> {
        words
            .into_iter()
            .map(|w| {
                let inner = [("len".to_string(), w.len() as u8)].into_iter().collect();
                (w, inner)
            })
            .collect()
    }
}

export!(Component);
