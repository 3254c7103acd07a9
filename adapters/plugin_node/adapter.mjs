// plugin_node, deno_jco, bun_jco: run checks with jco on a JavaScript engine (engines.mjs;
// the host is this script's argument, plugin_node by default). Each component is
// transpiled once, in Node (cached by sha256, js_common/transpile.mjs); each check then
// runs in a child process of the host's engine (run-check.mjs) so that a guest's stdout,
// exit() or crash never touches this adapter's protocol stream. The guest gets no
// preopens, no environment and only the check's arguments (WASIShim sandbox), whatever
// the shim's defaults are.
import { execFileSync, spawn } from "node:child_process";
import { constants, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { outcomeOf } from "../js_common/outcomes.mjs";
import { MAX_CAPTURE, json, onceCommand, serve, servedHost } from "../js_common/protocol.mjs";
import { ROOT, hostFolder, hostRequire, importFromHost, packageVersion, transpileForCheck } from "../js_common/transpile.mjs";
import { engineOf } from "./engines.mjs";

const { host: HOST, args: HOST_ARGS } = servedHost("plugin_node");
const INSTALL = `make -C hosts/${HOST} install`;
const RUN_CHECK = join(ROOT, "adapters", "plugin_node", "run-check.mjs");

/**
 * Where a check's child writes its control lines: fd 3, a pipe of its own; for an engine
 * that reaches no inherited descriptor (Deno's node:fs), a FIFO in a private folder,
 * named by WASMTUI_CONTROL. The adapter holds the FIFO open both ways (so opening it never
 * blocks, whether or not the child ever does), and removes it when the child is done.
 */
function controlChannel(engine, root) {
  if (!engine.controlFifo) return { path: null, stream: null, close() {} };
  const folder = mkdtempSync(join(root, "check-"));
  const path = join(folder, "control");
  execFileSync("mkfifo", ["-m", "600", path]);
  const stream = new Socket({ fd: openSync(path, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
  return { path, stream, close() {
    // what the child wrote before it exited is read first (destroy drops the rest)
    setImmediate(() => { stream.destroy(); rmSync(folder, { recursive: true, force: true }); });
  } };
}

class JcoEngine {
  host = HOST;

  async hello() {
    this.engine = engineOf(HOST);
    if (this.engine.missing) return { available: false, install: INSTALL, reason: this.engine.missing };
    const jcoVersion = packageVersion(HOST, "@bytecodealliance/jco");
    const shimVersion = packageVersion(HOST, "@bytecodealliance/preview2-shim");
    if (!jcoVersion || !shimVersion) {
      return { available: false, install: INSTALL,
               reason: `jco and preview2-shim are not installed in ${hostFolder(HOST)}` };
    }
    // Older releases (another version, -H plugin_node@X) may lack what the adapter drives:
    // preview2-shim's `instantiation` module (WASIShim). Resolved, not imported: the shim
    // is loaded by each check's child, never by this long-lived process.
    try {
      hostRequire(HOST).resolve("@bytecodealliance/preview2-shim/instantiation");
    } catch (err) {
      return { available: false, install: INSTALL,
               reason: `preview2-shim ${shimVersion} (with jco ${jcoVersion}) has no WASIShim, which the adapter configures each guest's WASI with: ${err.message}` };
    }
    this.jcoVersion = jcoVersion;
    this.jco = await importFromHost(HOST, "@bytecodealliance/jco");
    const hello = { available: true, version: `${this.engine.versionText}, jco ${jcoVersion}, preview2-shim ${shimVersion}` };
    if (this.engine.controlFifo) {  // the checks' FIFOs, removed on close or, after a kill, by `cleanup`
      const scratch = process.env.WASMTUI_RUN_DIR ? join(process.env.WASMTUI_RUN_DIR, "scratch") : tmpdir();
      mkdirSync(scratch, { recursive: true });
      this.controlRoot = mkdtempSync(join(scratch, `${HOST}-`));
      hello.cleanup = ["rm", "-rf", "--", this.controlRoot];
    }
    return hello;
  }

  command(request) {
    return onceCommand(new URL(import.meta.url).pathname, request, HOST_ARGS);
  }

  async run(request, out) {
    const [dir, refused] = await transpileForCheck(this.jco, this.jcoVersion, request.component, request.check, HOST);
    if (refused) return refused;
    // Node runs as it is: a component its engine refuses (extended-const on Node 20) fails,
    // and the known cause's workaround (known_causes.toml) gives the flag in wasmtui's
    // rerun (`w`, --try-workarounds), so the matrix says what plain Node does.
    return this.runChild(dir, request, out, request.check?.workaround?.["node-flags"] ?? []);
  }

  /**
   * One check in a child of the engine: guest output on its stdout/stderr, control lines
   * on the control channel ({"running": true} when guest code may start, {"port": N} for
   * http, then the result). A child that dies without a result is a harness failure,
   * unless the host's own error says the guest trapped: a guest's exit always comes back
   * as a result.
   */
  runChild(dir, request, out, engineFlags) {
    return new Promise((resolve) => {
      const channel = controlChannel(this.engine, this.controlRoot);
      const [bin, ...args] = this.engine.argv(this.engine.bin, request, RUN_CHECK,
                                              [HOST, dir, json.stringify(request)], engineFlags, dir,
                                              channel.path);
      const child = spawn(bin, args, {
        cwd: hostFolder(HOST),  // its package.json and node_modules (Deno resolves from there)
        stdio: ["ignore", "pipe", "pipe", channel.path ? "ignore" : "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin",
               ...(channel.path ? { WASMTUI_CONTROL: channel.path } : {}),
               ...(process.env.WASMTUI_HOST_MODULES ? { WASMTUI_HOST_MODULES: process.env.WASMTUI_HOST_MODULES } : {}) },
      });
      const controlStream = channel.stream ?? child.stdio[3];
      let control = "";
      let result = null;
      let started = false;
      let requestLost = null;  // an http request whose connection failed, if one did
      let done = false;
      const finish = (res) => { if (!done) { done = true; resolve(res); } };
      child.stdout.on("data", (c) => out.write("stdout", c));
      child.stderr.on("data", (c) => out.write("stderr", c));
      controlStream.on("data", (c) => {
        control += c;
        let nl;
        while ((nl = control.indexOf("\n")) >= 0) {
          const msg = json.parse(control.slice(0, nl));
          control = control.slice(nl + 1);
          if (msg.running) {
            started = true;
            out.running();
          } else if (msg.port) {  // an http check: the child serves, we ask
            this.ask(msg.port, request).then((res) => {
              if (!res.connectionLost) { child.kill("SIGKILL"); finish(res); return; }
              // The connection failed: if the serving process is dying, its own error
              // says whether the guest trapped or the host failed (close, below).
              const { connectionLost, ...lost } = res;
              requestLost = lost;
              setTimeout(() => { child.kill("SIGKILL"); finish(lost); }, 2000);
            });
          } else {
            result = msg;
          }
        }
      });
      child.on("close", (code, signal) => {
        channel.close();
        out.flush();
        if (result) {
          if (request.check.kind === "cli" && result.outcome === "ok") Object.assign(result, out.captured("stdout"));
          return finish(result);
        }
        const tail = out.tail("stderr");
        if (code === 13 && started && /unsettled top-level await/.test(tail)) {
          // Node ends a process whose awaited call can never settle (nothing left to run):
          // the engine's deadlock report, where the spec (and wasmtime) trap "deadlock
          // detected: event loop cannot make further progress".
          return finish({ outcome: "trapped", error: `deadlock: the call never settled and ${this.engine.versionText} had nothing left to run (exit 13, "unsettled top-level await")` });
        }
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const trapped = outcomeOf(tail, started, signal) === "trapped";
        if (requestLost && !trapped && !signal) {  // the host failed while serving the call
          return finish({ outcome: "refused", instantiated: true,
                          error: `${requestLost.error}: the ${this.engine.versionText} process serving it ${how}:\n${tail}`.trim() });
        }
        finish({ outcome: trapped ? "trapped" : "harness-error",
                 error: `the check's ${this.engine.versionText} process ${how} without a result:\n${tail}`.trim() });
      });
    });
  }

  async close() {
    if (this.controlRoot) rmSync(this.controlRoot, { recursive: true, force: true });
  }

  ask(port, request) {
    const { method, path } = request.check;
    return new Promise((resolve) => {
      const req = httpRequest({ host: "127.0.0.1", port, method, path, timeout: (request.timeout ?? 30) * 1000 }, (res) => {
        const chunks = [];
        let size = 0;
        res.on("data", (c) => { if (size <= MAX_CAPTURE) chunks.push(c); size += c.length; });
        // a body cut mid-way (the guest trapped while writing it) is the guest's failure
        res.on("aborted", () => resolve({ outcome: "trapped", error: `the guest failed while sending the body (${size} bytes in)` }));
        res.on("error", (err) => resolve({ outcome: "trapped", error: `the guest failed while sending the body: ${err.message}` }));
        res.on("end", () => {
          const body = Buffer.concat(chunks).subarray(0, MAX_CAPTURE).toString("utf8");
          resolve({ outcome: "ok", status: res.statusCode, body, ...(size > MAX_CAPTURE ? { body_truncated: true } : {}) });
        });
      });
      req.on("error", (err) => resolve({ outcome: "trapped", connectionLost: true, error: `request failed: ${err.message}` }));
      req.end();
    });
  }
}

await serve(new JcoEngine());
