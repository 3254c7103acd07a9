//! The same command with the greeting built in: one component, no composition.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("world");
    let up = args.get(2).is_some_and(|a| a == "true");
    println!("{}", greeting::greet(name, up));
}
