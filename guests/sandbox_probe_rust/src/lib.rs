//! The sandbox probe as a command (`run TARGET...`) and as a function
//! (`wasmtui:probe/probe.attempt`): one line per capability attempt.

wit_bindgen::generate!({ world: "sandbox-probe", path: "wit" });

struct Component;

impl exports::wasmtui::probe::probe::Guest for Component {
    fn attempt(targets: Vec<String>) -> Vec<String> {
        probe::attempt(&targets)
    }
}

impl wasi::exports::cli::run::Guest for Component {
    fn run() -> Result<(), ()> {
        let args = wasi::cli::environment::get_arguments();
        for line in probe::attempt(args.get(1..).unwrap_or_default()) {
            println!("{line}");
        }
        Ok(())
    }
}

export!(Component);
wasi::cli::command::export!(Component);
