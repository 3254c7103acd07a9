"""The seed's greeter in Python (componentize-py): `greet(name, up)` answers
"Hello, {name}", entirely uppercased when `up`, as the Rust guests do."""

from wit_world import exports


class Greeter(exports.Greeter):
    def greet(self, name: str, up: bool) -> str:
        text = f"Hello, {name}"
        return text.upper() if up else text
