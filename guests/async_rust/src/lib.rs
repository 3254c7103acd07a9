//! Async exports without WASI: the component-model async ABI as wit-bindgen lifts it
//! (a callback per task). Its guest.toml states the canonical JSON of every call, the
//! same on every host that can call async exports; the others say so before running.

wit_bindgen::generate!({ world: "async-exports", path: "wit" });

use exports::wasmtui::conformance::async_calls::Guest;
use wit_bindgen::{FutureReader, StreamReader};

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
    async fn digits(n: u32) -> StreamReader<u8> {
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let bytes: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
            tx.write_all(bytes).await;
        });
        rx
    }
    async fn words(s: String) -> StreamReader<String> {
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            for word in s.split_whitespace() {
                tx.write_all(vec![word.to_string()]).await;
            }
        });
        rx
    }
    async fn later(x: u32) -> FutureReader<u32> {
        let (tx, rx) = wit_future::new(|| 0);
        wit_bindgen::spawn_local(async move {
            wit_bindgen::yield_async().await;
            let _ = tx.write(x.wrapping_add(1)).await;
        });
        rx
    }
    async fn sum(s: StreamReader<u32>) -> u64 {
        s.collect().await.into_iter().map(u64::from).sum()
    }
    async fn plus_one(f: FutureReader<u32>) -> u32 {
        f.await.wrapping_add(1)
    }
    async fn endless() -> StreamReader<u8> {
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            loop {
                if !tx.write_all(vec![7; 64]).await.is_empty() {
                    break; // the reader went away
                }
            }
        });
        rx
    }
}

export!(Component);
