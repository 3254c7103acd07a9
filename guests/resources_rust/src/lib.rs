//! Resources without WASI: handles made by a constructor, a static and free functions,
//! passed back owned or borrowed, alone or inside lists, records and options. Its
//! guest.toml's scenarios state the canonical JSON of every step, the same on every host
//! that runs scenarios.

wit_bindgen::generate!({ world: "resource-exports", path: "wit" });

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

use exports::wasmtui::conformance::resources::{
    Counter, CounterBorrow, Guest, GuestCounter, Held, Named,
};

static DROPS: AtomicU32 = AtomicU32::new(0);

struct Component;

struct MyCounter {
    value: Cell<u32>,
}

impl Drop for MyCounter {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

fn counter(n: u32) -> Counter {
    Counter::new(MyCounter {
        value: Cell::new(n),
    })
}

impl GuestCounter for MyCounter {
    fn new(start: u32) -> Self {
        MyCounter {
            value: Cell::new(start),
        }
    }
    fn incr(&self, by: u32) -> u32 {
        self.value.set(self.value.get().wrapping_add(by));
        self.value.get()
    }
    fn get(&self) -> u32 {
        self.value.get()
    }
    fn merged(a: CounterBorrow<'_>, b: CounterBorrow<'_>) -> Counter {
        counter(
            a.get::<MyCounter>()
                .get()
                .wrapping_add(b.get::<MyCounter>().get()),
        )
    }
    fn consume(c: Counter) -> u32 {
        c.into_inner::<MyCounter>().get()
    }
}

impl Guest for Component {
    type Counter = MyCounter;

    fn total(cs: Vec<CounterBorrow<'_>>) -> u32 {
        cs.iter()
            .map(|c| c.get::<MyCounter>().get())
            .fold(0, u32::wrapping_add)
    }
    fn make(n: u32) -> Counter {
        counter(n)
    }
    fn make_many(ns: Vec<u32>) -> Vec<Counter> {
        ns.into_iter().map(counter).collect()
    }
    fn maybe_make(n: Option<u32>) -> Option<Counter> {
        n.map(counter)
    }
    fn try_make(n: u32) -> Result<Counter, String> {
        if n > 100 {
            Err("too big".to_string())
        } else {
            Ok(counter(n))
        }
    }
    fn make_named(label: String, n: u32) -> Named {
        Named {
            label,
            c: counter(n),
        }
    }
    fn total_held(hs: Vec<Held<'_>>) -> String {
        hs.iter()
            .map(|h| format!("{}={}", h.label, h.c.get::<MyCounter>().get()))
            .collect::<Vec<_>>()
            .join(",")
    }
    fn peek(c: Option<CounterBorrow<'_>>) -> u32 {
        c.map_or(0, |c| c.get::<MyCounter>().get())
    }
    fn drops() -> u32 {
        DROPS.load(Ordering::SeqCst)
    }
}

export!(Component);
