package main

// The adapter side of adapters/PROTOCOL.md in Go: the hello, one request per stdin line
// (or `--once REQUEST`), `started` and `result` around each request with its output
// between, an adapter's panic as a `harness-error` result, and the scenario step loop.
// Held to adapters/envelope/vectors.json by `adapter --scripted` (scripted.go).

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
)

// adapter: what the envelope serves: who it is, how a request is reproduced by hand,
// and how one runs (its output goes to stdout and stderr; events through emit).
type adapter struct {
	hello   func() map[string]any
	command func(request map[string]any) string
	run     func(id string, request map[string]any, stdout, stderr *outputStream) result
}

// serveAll: the hello, then `--once REQUEST` (when the host is available) or every
// request on stdin until it closes.
func serveAll(a adapter, args []string) {
	greeting := map[string]any{"event": "hello", "protocol": protocolVersion, "host": hostName}
	for k, v := range a.hello() {
		greeting[k] = v
	}
	emit(greeting)
	if len(args) == 2 && args[0] == "--once" {
		request, err := decode([]byte(args[1]))
		if err != nil {
			emit(map[string]any{"id": "once", "event": "result", "outcome": "harness-error",
				"error": "bad request: " + err.Error()})
			return
		}
		if greeting["available"] == true {
			request["id"] = "once"
			serveRequest(a, request)
		}
		return
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if request, derr := decode(line); derr != nil {
				emit(map[string]any{"id": "?", "event": "result", "outcome": "harness-error",
					"error": "bad request line: " + derr.Error()})
			} else {
				serveRequest(a, request)
			}
		}
		if err != nil {
			return // stdin closed: the core asks us to exit
		}
	}
}

func serveRequest(a adapter, request map[string]any) {
	id := fmt.Sprint(request["id"])
	emit(map[string]any{"id": id, "event": "started", "command": a.command(request)})
	send := func(stream string, lines []string) {
		emit(map[string]any{"id": id, "event": "output", "stream": stream, "lines": lines})
	}
	stdout, stderr := newOutputStream("stdout", send), newOutputStream("stderr", send)
	res := safely(func() result { return a.run(id, request, stdout, stderr) })
	stdout.close()
	stderr.close()
	event := map[string]any{"id": id, "event": "result"}
	for k, v := range res {
		event[k] = v
	}
	emit(event)
}

// runSteps: a scenario's steps on one instance, in order, until one does not end ok (a
// trapped instance cannot be entered again). `call` answers a call step (and binds what
// it returns into `bound`, by name); `drop` a drop of a bound handle; a drop of a name
// nothing bound is the adapter's error. The result: the last step's outcome (and error),
// and every step's answer.
func runSteps(steps []any, call func(step map[string]any, bound handles) result,
	drop func(h *handle) result) result {
	bound := handles{}
	done := []any{}
	last := result{"outcome": "ok"}
	for i, s := range steps {
		step := asMap(s)
		if name, ok := step["drop"].(string); !ok {
			last = call(step, bound)
		} else if h := bound[name]; h != nil {
			last = drop(h)
		} else {
			last = result{"outcome": "harness-error", "error": "no handle is bound as " + name}
		}
		done = append(done, last)
		// A trap (or a call the host refused) goes on to a next step that expects one (a
		// trapped instance must refuse to be entered again); anything else ends it.
		failedCall := last["outcome"] == "trapped" || last["outcome"] == "refused"
		if last["outcome"] != "ok" && !(failedCall && nextExpectsTrap(steps, i)) {
			break
		}
	}
	res := result{"outcome": last["outcome"], "steps": done}
	if e, ok := last["error"]; ok {
		res["error"] = e
	}
	return res
}

// nextExpectsTrap: whether the step after step i expects a trap (`expect.trap`).
func nextExpectsTrap(steps []any, i int) bool {
	if i+1 >= len(steps) {
		return false
	}
	expect, _ := asMap(steps[i+1])["expect"].(map[string]any)
	trap, _ := expect["trap"].(bool)
	return trap
}
