// go_wazy: runs checks in wazy (github.com/samyfodil/wazy), a pure-Go implementation of
// the component model, WASI 0.2 and the async ABI, speaking adapters/PROTOCOL.md.
//
// invoke: component.Instantiate with wazy's WASI 0.2 (imports/wasip2), then
// Instance.Call("iface#func", args...), values converted by the signature (values.go);
// scenarios keep one instance and name its handles; async exports are called like any
// other (wazy drives the task). cli: the component's wasi:cli/run `run`. http: wasip2's
// net/http Handler served on 127.0.0.1, one request through Go's http client.
// Host functions: component.WithImport. Every check gets a runtime of its own.
//
// Built by hosts/go_wazy/Makefile into the cache; `--vectors DIR` and `--output-vectors
// DIR` run the shared vectors of adapters/ (tests/test_go.py).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/samyfodil/wazy"
	"github.com/samyfodil/wazy/api"
	"github.com/samyfodil/wazy/component"
	"github.com/samyfodil/wazy/imports/wasip2"
	"github.com/samyfodil/wazy/sys"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

const (
	protocolVersion = 1
	hostName        = "go_wazy"
	wazyModule      = "github.com/samyfodil/wazy"
)

// compiled: wazy's compilation cache on disk, in the cache dir ($WASMTUI_CACHE/go_wazy):
// a component's core modules are compiled once, not at every check (a componentize-py
// component's take seconds). Nil when the folder cannot be made: every check compiles.
var compiled = func() wazy.CompilationCache {
	base := os.Getenv("WASMTUI_CACHE")
	if base == "" {
		return nil
	}
	c, err := wazy.NewCompilationCacheWithDir(filepath.Join(base, "go_wazy", "compiled-"+wazyVersion()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "go_wazy: no compilation cache:", err)
		return nil
	}
	return c
}()

// truncated: whether the last value read dropped stream items past streams.go's cap (one
// request at a time: the adapter is single-threaded).
var truncated bool

// instance: the instance the current call runs on, which makes the streams and futures
// passed as its arguments (set by call; one request at a time).
var instance *component.Instance

// result is a request's result event, without its id and event fields.
type result map[string]any

var emitMu sync.Mutex

func emit(event any) {
	line, err := marshal(event)
	if err != nil {
		line, _ = marshal(map[string]any{"event": "result", "outcome": "harness-error",
			"error": "the Go adapter could not write its event: " + err.Error()})
	}
	emitMu.Lock()
	defer emitMu.Unlock()
	os.Stdout.Write(append(line, '\n'))
}

// wazyVersion: the wazy module this binary was built with (a release chosen with
// -H go_wazy@VERSION is a binary of its own).
func wazyVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == wazyModule {
				return strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	return "unknown"
}

func hello() map[string]any {
	return map[string]any{"available": true,
		"version": fmt.Sprintf("wazy %s (%s, WASI 0.2)", wazyVersion(), runtime.Version())}
}

func decode(text []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber() // integers stay exact (u64)
	var out map[string]any
	err := dec.Decode(&out)
	return out, err
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func main() {
	if len(os.Args) == 3 && os.Args[1] == "--vectors" {
		os.Exit(runVectors(os.Args[2]))
	}
	if len(os.Args) == 3 && os.Args[1] == "--output-vectors" {
		os.Exit(runOutputVectors(os.Args[2]))
	}
	if len(os.Args) >= 2 && os.Args[1] == "--scripted" {
		serveAll(scripted, os.Args[2:])
		return
	}
	serveAll(wazyAdapter, os.Args[1:])
}

// wazyAdapter: checks on wazy; a check is reproduced by this binary with --once.
var wazyAdapter = adapter{
	hello: hello,
	command: func(request map[string]any) string {
		once := map[string]any{}
		for k, v := range request {
			if k != "id" {
				once[k] = v
			}
		}
		text, _ := marshal(once)
		exe, _ := os.Executable()
		return shellQuote(exe) + " --once " + shellQuote(string(text))
	},
	run: func(id string, request map[string]any, stdout, stderr *outputStream) result {
		res := runCheck(id, request, stdout, stderr)
		if _, ok := res["exit_code"]; ok { // a command's result carries its stdout
			stdout.close()
			stdout.capture(res)
		}
		return res
	},
}

// safely: a panic in the adapter or in wazy is the harness's error, never the guest's fail.
func safely(run func() result) (res result) {
	defer func() {
		if p := recover(); p != nil {
			res = result{"outcome": "harness-error",
				"error": fmt.Sprintf("the Go adapter panicked: %v\n%s", p, firstLines(string(debug.Stack()), 12))}
		}
	}()
	return run()
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

func strs(v any) []string {
	var out []string
	for _, e := range asList(v) {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// builtins: the host functions every adapter provides (PROTOCOL.md, invoke).
var builtins = map[string]func(string) string{
	"reverse": func(s string) string {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r)
	},
	// full Unicode case mapping, as Python's str.upper, JavaScript's toUpperCase and
	// Ruby's upcase do ("ß" -> "SS"; strings.ToUpper keeps "ß")
	"upper":    cases.Upper(language.Und).String,
	"identity": func(s string) string { return s },
}

// deniedHTTP: outgoing HTTP when the check does not grant it (wazy's default client would
// send it): every request fails in the host.
var deniedHTTP = &http.Client{Transport: roundTripper(func(*http.Request) (*http.Response, error) {
	return nil, errors.New("HTTP-request-denied: the check does not grant http-outgoing")
})}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// refuse: a network hook that denies everything (wazy calls it for a guest's
// connect, bind, listen and name lookup).
var errDenied = errors.New("denied: the check does not grant network")

// options: wazy's WASI 0.2 with only what the check grants, and its host functions.
// wazy links a trap stub for every interface it is not given, so a guest touching
// sockets or wasi:http would trap on a stub where other hosts answer it with an error:
// both are always linked, and what the check does not grant is refused through wazy's
// own hooks (its Dialer, Listen, ListenPacket, ResolveIP and HTTPClient).
func options(check map[string]any, stdout, stderr io.Writer) ([]component.Option, error) {
	grants := asMap(check["grants"])
	env := []string{}
	for k, v := range asMap(check["env"]) {
		env = append(env, k+"="+fmt.Sprint(v))
	}
	sort.Strings(env)
	cfg := wasip2.Config{Stdout: stdout, Stderr: stderr, Env: env,
		AllowTCP: true, AllowUDP: true, EnableHTTP: true,
		HTTPClient: deniedHTTP}
	capResponses(&cfg)
	if grants["network"] != true {
		cfg.Dialer = func(string, string) (net.Conn, error) { return nil, errDenied }
		cfg.Listen = func(string, string) (net.Listener, error) { return nil, errDenied }
		cfg.ListenPacket = func(string, string) (net.PacketConn, error) { return nil, errDenied }
		cfg.ResolveIP = func(context.Context, string) ([]net.IP, error) { return nil, errDenied }
	}
	if check["kind"] == "cli" {
		cfg.Args = strs(check["args"])
	}
	if grants["http-outgoing"] == true {
		cfg.HTTPClient = http.DefaultClient
	}
	if dirs := strs(grants["dirs"]); len(dirs) > 0 {
		fs := wazy.NewFSConfig()
		for _, d := range dirs {
			fs = fs.WithDirMount(d, d)
		}
		cfg.FS = fs
	}
	opts := wasip2.With(cfg)
	types := asMap(check["host_function_types"])
	for name, builtin := range asMap(check["host_functions"]) {
		sig := asMap(types[name])
		if builtins[fmt.Sprint(builtin)] == nil || sig == nil {
			continue // not imported: nothing to declare
		}
		opt, err := hostFunction(name, fmt.Sprint(builtin), sig)
		if err != nil {
			return nil, err
		}
		opts = append(opts, opt)
	}
	return opts, nil
}

func runCheck(id string, request map[string]any, stdout, stderr *outputStream) result {
	check := asMap(request["check"])
	kind, _ := check["kind"].(string)
	data, err := os.ReadFile(fmt.Sprint(request["component"]))
	if err != nil {
		return result{"outcome": "refused", "error": err.Error()}
	}
	ctx := context.Background()
	cfg := wazy.NewRuntimeConfig()
	// A known cause's workaround (known_causes.toml): Wasm 3.0's core features, which
	// wazy's default (api.CoreFeaturesV2) leaves out (extended-const...).
	for _, flag := range strs(asMap(check["workaround"])["host-flags"]) {
		if flag == "core-features=v3" {
			cfg = cfg.WithCoreFeatures(api.CoreFeaturesV3)
		}
	}
	if limit, err := uintOf(request["memory_limit"], 64); err == nil && limit > 0 {
		cfg = cfg.WithMemoryLimitPages(uint32(min(limit/65536, 65536)))
		// wazy grows a linear memory by copying it, and Go's collector (GOGC=100) lets
		// the old copies pile up: a guest at a 256 MiB limit made this process hold 929
		// MiB. A soft limit near twice the guest's (the old copy and the new) makes the
		// collector free them as it goes.
		debug.SetMemoryLimit(int64(min(limit, 1<<40))*2 + 256<<20)
	}
	if compiled != nil {
		cfg = cfg.WithCompilationCache(compiled)
	}
	rt := wazy.NewRuntimeWithConfig(ctx, cfg)
	defer rt.Close(ctx)
	opts, err := options(check, stdout, stderr)
	if err != nil { // a host function of a type the adapter cannot declare: its limit
		return result{"outcome": "refused", "error": err.Error()}
	}
	emit(map[string]any{"id": id, "event": "running"})
	inst, err := component.Instantiate(ctx, rt, data, opts...)
	if err != nil {
		return failure(err, true)
	}
	defer inst.Close(ctx)
	if stubs := inst.WASICalls(); len(stubs) > 0 {
		emit(map[string]any{"id": id, "event": "note", "text": stubNote(stubs)})
	}
	// From here a failure is the call's, not a refusal (PROTOCOL.md `instantiated`).
	var res result
	switch {
	case kind == "invoke" && check["steps"] != nil:
		res = scenario(ctx, inst, asList(check["steps"]))
	case kind == "invoke":
		res = invoke(ctx, inst, check)
	case kind == "cli":
		res = runCommand(ctx, inst, check)
	case kind == "http":
		res = serve(inst, check)
	default: // instantiate; load_only too (wazy stubs what it lacks: no import refuses)
		res = result{"outcome": "ok"}
	}
	res["instantiated"] = true
	return res
}

// stubNote: wazy instantiates a component whatever it imports, linking a trap stub for
// every function no host implementation was given: where wasmtime refuses to link, wazy
// fails at the first call that reaches one. The report says which, so an instantiate
// check's pass is read for what it is.
func stubNote(stubs []string) string {
	shown := stubs[:min(len(stubs), 8)]
	more := ""
	if len(stubs) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(stubs)-len(shown))
	}
	return fmt.Sprintf("wazy linked trap stubs for %d imported functions it does not implement "+
		"(a call that reaches one fails): %s%s", len(stubs), strings.Join(shown, ", "), more)
}

// exitOf: a guest's own exit (wasi:cli/exit), which wazy reports as a *sys.ExitError.
func exitOf(err error) (uint32, bool) {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), true
	}
	return 0, false
}

// call: one exported function, arguments converted by its signature, result back in the
// value model; `bound` names the scenario's handles (nil for a plain check). hostSide
// says whose failure an error is: the host's (or the guest's), or the adapter's own.
func call(ctx context.Context, inst *component.Instance, iface, name string, sig map[string]any,
	args []any, bound handles, bind string) (value any, hostSide bool, err error) {
	instance = inst
	params := asList(sig["params"])
	if len(params) != len(args) {
		return nil, false, fmt.Errorf("%d arguments for %d parameters", len(args), len(params))
	}
	hostArgs := make([]component.Value, len(args))
	for i, p := range params {
		v, err := toHost(asList(p)[1], args[i], bound)
		if err != nil {
			var limit inexpressible
			return nil, errors.As(err, &limit), fmt.Errorf("argument %d: %w", i+1, err)
		}
		hostArgs[i] = v
	}
	key := name
	if iface != "" {
		key = iface + "#" + name
	}
	truncated = false
	out, err := inst.Call(ctx, key, hostArgs...)
	if err != nil {
		return nil, true, err
	}
	if sig["result"] == nil {
		return nil, true, nil
	}
	if len(out) != 1 {
		return nil, false, fmt.Errorf("wazy returned %d results for one", len(out))
	}
	v, cerr := fromHost(sig["result"], out[0], bound, bind, "", iface)
	if cerr != nil {
		return nil, false, fmt.Errorf("the result does not fit %v: %w", sig["result"], cerr)
	}
	return v, true, nil
}

// fromCall: a call's outcome. `hostSide` false is the adapter's own failure.
func fromCall(value any, hostSide bool, err error) result {
	switch {
	case err == nil && truncated:
		return result{"outcome": "ok", "value": value, "value_truncated": true}
	case err == nil:
		return result{"outcome": "ok", "value": value}
	case !hostSide:
		return result{"outcome": "harness-error", "error": err.Error()}
	}
	if code, ok := exitOf(err); ok {
		return result{"outcome": "trapped", "error": fmt.Sprintf("the guest exited (code %d) during the call", code)}
	}
	return failure(err, true)
}

func invoke(ctx context.Context, inst *component.Instance, check map[string]any) result {
	function := fmt.Sprint(check["function"])
	dot := strings.LastIndex(function, ".")
	iface, name := function[:max(dot, 0)], function[dot+1:]
	return fromCall(call(ctx, inst, iface, name, asMap(check["signature"]), asList(check["args"]), nil, ""))
}

// scenario: the steps on this one instance (runSteps: in order, until one fails).
func scenario(ctx context.Context, inst *component.Instance, steps []any) result {
	callStep := func(step map[string]any, bound handles) result {
		iface, _ := step["interface"].(string)
		bind, _ := step["bind"].(string)
		return fromCall(call(ctx, inst, iface, fmt.Sprint(step["name"]), asMap(step["signature"]),
			asList(step["args"]), bound, bind))
	}
	drop := func(h *handle) result {
		if err := inst.DropResource(ctx, h.iface, h.resource, h.index); err != nil {
			return failure(err, true)
		}
		return result{"outcome": "ok", "value": nil}
	}
	return runSteps(steps, callStep, drop)
}

func runCommand(ctx context.Context, inst *component.Instance, check map[string]any) result {
	for _, name := range strs(check["run_exports"]) {
		out, err := inst.Call(ctx, name+"#run")
		if err != nil && strings.Contains(err.Error(), "not found") {
			continue
		}
		if code, ok := exitOf(err); ok {
			return result{"outcome": "ok", "exit_code": code}
		}
		if err != nil {
			return failure(err, true)
		}
		code := 0
		if len(out) == 1 {
			if r, ok := out[0].(component.ResultValue); ok && r.IsErr {
				code = 1
			}
		}
		return result{"outcome": "ok", "exit_code": code}
	}
	return result{"outcome": "refused", "error": "the component exports no wasi:cli/run this host can call"}
}

// serve: wazy's net/http Handler for the component, on a free loopback port, for one request.
func serve(inst *component.Instance, check map[string]any) result {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{"outcome": "harness-error", "error": err.Error()}
	}
	server := &http.Server{Handler: wasip2.Handler(inst)}
	go server.Serve(listener)
	defer server.Close()
	method, _ := check["method"].(string)
	path, _ := check["path"].(string)
	req, err := http.NewRequest(method, "http://"+listener.Addr().String()+path, nil)
	if err != nil {
		return result{"outcome": "harness-error", "error": err.Error()}
	}
	client := &http.Client{Timeout: 10 * time.Minute} // the core's timeout stops a guest that never answers
	resp, err := client.Do(req)
	if err != nil {
		return result{"outcome": "trapped", "error": "the HTTP answer was cut: " + err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCapture+1))
	if err != nil {
		return result{"outcome": "trapped", "error": "the HTTP answer was cut: " + err.Error()}
	}
	res := result{"outcome": "ok", "status": resp.StatusCode}
	if len(body) > maxCapture {
		body, res["body_truncated"] = body[:maxCapture], true
	}
	res["body"] = strings.ToValidUTF8(string(body), "\uFFFD")
	return res
}
