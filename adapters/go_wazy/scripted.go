package main

// The Go envelope (envelope.go) run on adapters/envelope/vectors.json: `adapter --scripted
// [--once REQUEST]` serves an adapter whose host work is a script the request carries (the
// vectors' `about` says how), so tests/test_envelope.py holds every adapter language's
// framing to one set of cases.

import (
	"errors"
	"fmt"
	"os"
)

var scripted = adapter{
	hello: func() map[string]any {
		h := map[string]any{"available": true, "version": "scripted"}
		if extra, err := decode([]byte(os.Getenv("WASMTUI_SCRIPTED_HELLO"))); err == nil {
			for k, v := range extra {
				h[k] = v
			}
		}
		return h
	},
	command: func(map[string]any) string { return "scripted" },
	run: func(id string, request map[string]any, stdout, stderr *outputStream) result {
		for _, a := range asList(request["script"]) {
			action := asList(a)
			switch fmt.Sprint(action[0]) {
			case "out":
				stream := stdout
				if action[1] == "stderr" {
					stream = stderr
				}
				stream.Write([]byte(fmt.Sprint(action[2])))
			case "note":
				emit(map[string]any{"id": id, "event": "note", "text": action[1]})
			case "running":
				emit(map[string]any{"id": id, "event": "running"})
			case "throw":
				panic(errors.New(fmt.Sprint(action[1])))
			case "result":
				return result(asMap(action[1]))
			case "steps":
				return scriptedSteps(asList(asMap(request["check"])["steps"]), asList(action[1]))
			}
		}
		return result{"outcome": "harness-error", "error": "the script ended without a result"}
	},
}

// scriptedSteps: the step loop on answers given in advance (step i answers answers[i]).
func scriptedSteps(steps []any, answers []any) result {
	i := -1 // the loop asks in order: each call or drop is the next step
	call := func(step map[string]any, bound handles) result {
		i++
		answer := result(asMap(answers[i]))
		if bind, _ := step["bind"].(string); bind != "" && answer["outcome"] == "ok" {
			bound[bind] = &handle{}
		}
		return answer
	}
	drop := func(*handle) result {
		i++
		return result{"outcome": "ok", "value": nil}
	}
	return runSteps(steps, call, drop)
}
