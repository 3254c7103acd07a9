package main

// The outcome rule of adapters/PROTOCOL.md ("Outcomes") for the Go adapter: the same as
// wasmtui/adapterkit/outcomes.py, held to it by adapters/outcomes/vectors.json.

import (
	"regexp"
	"strings"
)

// How engines word a trap (wasmtime: "wasm trap", "error while executing at wasm
// backtrace"; wazero and wazy: "wasm error: unreachable ... wasm stack trace").
var trapMarkers = regexp.MustCompile(`(?i)wasm backtrace|wasm trap|error while executing|RuntimeError|call stack size exceeded|too much recursion|wasm error:`)

// outcomeOf: "trapped", "refused" or "harness-error", from the host's own error text only.
func outcomeOf(err string, started bool, signal string) string {
	if trapMarkers.MatchString(err) {
		if started {
			return "trapped"
		}
		return "harness-error"
	}
	if signal != "" {
		return "harness-error"
	}
	return "refused"
}

func failure(err error, started bool) result {
	text := strings.TrimSpace(err.Error())
	return result{"outcome": outcomeOf(text, started, ""), "error": text}
}
