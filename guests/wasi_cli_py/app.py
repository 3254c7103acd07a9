"""wasi_cli_rust's command in Python (componentize-py): `wasi_cli_py NAME UP` prints the
greeting. The arguments come from sys.argv, which componentize-py's runtime fills from
wasi:cli/environment."""

import sys

from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        args = sys.argv
        name = args[1] if len(args) > 1 else "world"
        up = len(args) > 2 and args[2] == "true"
        text = f"Hello, {name}"
        print(text.upper() if up else text)
