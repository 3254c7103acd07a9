fn main() { let _ = (wasmtime::Config::new(), containerd_shim_wasm::shim::Config::default()); }
