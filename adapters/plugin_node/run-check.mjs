// One check in its own process of the host's engine (Node, Deno or Bun; started by
// adapter.mjs): instantiate the transpiled component with sandboxed WASI (preview2-shim's
// WASIShim, or preview3-shim for WASI 0.3: wasi03.mjs) plus the check's host functions,
// run the check, write the result as one JSON line on the control channel. Guest output
// goes to this process's stdout/stderr, streamed by the adapter.
import { openSync, readFileSync, readdirSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GuestExit, exportNamed, hostFunctionImports, invoke, missingImports, runExport,
         sandboxOptions, withGuestExit, withOutgoingHttp } from "../js_common/guest.mjs";
import { errorText, outcomeOf } from "../js_common/outcomes.mjs";
import { importFromHost } from "../js_common/transpile.mjs";
import { limitMemories } from "../js_common/memory-limit.mjs";
import { ENGINES } from "./engines.mjs";
import { HTTP_HANDLER, handlerForServer, wasi03Imports, withWasi02 } from "./wasi03.mjs";
import { losslessCodec } from "../js_common/values.mjs";

const [host, dir, raw] = process.argv.slice(2);
const json = losslessCodec(await importFromHost(host, "lossless-json"));
const request = json.parse(raw);
const check = request.check;
// The control channel (adapter.mjs controlChannel): fd 3, or the FIFO WASMTUI_CONTROL names.
const control = process.env.WASMTUI_CONTROL ? openSync(process.env.WASMTUI_CONTROL, "a") : 3;
const reply = (obj) => writeSync(control, json.stringify(obj) + "\n");
// Exit only once the guest's output has left this process: process.exit() drops what is
// still queued on a stdout pipe (a guest's last MiBs would vanish).
const drainAndExit = () =>
  process.stdout.write("", () => process.stderr.write("", () => process.exit(0)));

const { WASIShim } = await importFromHost(host, "@bytecodealliance/preview2-shim/instantiation");
const { HTTPServer, outgoingHandler } = await importFromHost(host, "@bytecodealliance/preview2-shim/http");
const { instantiate } = await import(pathToFileURL(join(dir, "component.js")).href);

// argv is a command's: an invoke check's arguments are the function's, never the program's.
const argv = ["component.wasm", ...(check.kind === "cli" ? check.args ?? [] : [])];
// WASI 0.3 (transpiled in jco's JSPI mode, transpile.mjs): preview3-shim, sandboxed alike
const wasi03 = (check.wasi ?? []).includes("0.3") ? await wasi03Imports(host, check, argv) : null;
const wasi02 = withOutgoingHttp(new WASIShim(sandboxOptions(check, argv)).getImportObject(), check,
                                outgoingHandler);
const wasi = wasi03 ? withWasi02(wasi02, wasi03.imports) : wasi02;
const imports = { ...withGuestExit(wasi), ...hostFunctionImports(check.host_functions) };
// --memory-limit: V8 takes a flag (engines.mjs); other engines get it declared on each
// memory the core modules define (js_common/memory-limit.mjs)
const declared = ENGINES[host]?.declaresMemoryLimit && request.memory_limit;
const getCoreModule = (path) => {
  const bytes = readFileSync(join(dir, path));
  return new WebAssembly.Module(declared ? limitMemories(bytes, request.memory_limit) : bytes);
};

// An invalid component's check (load_only): jco transpiled it (adapter.mjs) and the
// engine compiles every core module it holds; nothing is instantiated, so no missing
// import can be the reason for a refusal.
function loadOnly() {
  reply({ running: true });
  try {
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".wasm"))) getCoreModule(name);
  } catch (err) {
    return { outcome: "refused", error: errorText(err) };
  }
  return { outcome: "ok" };
}

async function runCheck() {
  if (check.load_only) return loadOnly();
  const missing = missingImports(JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")).imports, imports);
  if (missing) return missing;
  reply({ running: true });  // guest code may run from here on (start functions)
  let instance;
  try {
    instance = await instantiate(getCoreModule, imports);
  } catch (err) {
    if (err instanceof GuestExit) return { outcome: "ok", exit_code: err.code };
    const text = errorText(err);
    return { outcome: outcomeOf(text, true), error: text };
  }
  instantiated = true;
  try {
    if (check.kind === "invoke") return await invoke(instance, check);
    if (check.kind === "cli") {
      const run = runExport(instance, check);
      if (!run) return { outcome: "refused", error: "Not a valid command component to execute (no wasi:cli/run export)" };
      try {
        await run.run();
      } catch (err) {
        // jco throws run's `err` as a ComponentError, its payload an own property (even
        // undefined: `result` has no error type); anything else is not the guest's answer
        if (!(err && Object.hasOwn(err, "payload"))) throw err;
        return { outcome: "ok", exit_code: 1 };  // run returned err
      }
      return { outcome: "ok", exit_code: 0 };
    }
    if (check.kind === "http" && wasi03) {  // preview3-shim's server takes a port it is given
      const handler = instance[exportNamed(instance, HTTP_HANDLER)];
      if (!handler) return { outcome: "refused", error: `no ${HTTP_HANDLER} export to serve` };
      const port = await freePort();
      await new wasi03.http.HttpServer(handlerForServer(handler)).listen(port, "127.0.0.1");
      return { port };
    }
    if (check.kind === "http") {
      const server = new HTTPServer(instance[exportNamed(instance, "wasi:http/incoming-handler")]);
      server.listen(0, "127.0.0.1");
      return { port: server.address().port };  // the adapter makes the request, then kills us
    }
    return { outcome: "ok" };  // instantiate
  } catch (err) {
    if (err instanceof GuestExit) return { outcome: "ok", exit_code: err.code };
    const text = errorText(err);
    return { outcome: outcomeOf(text, true), error: text };
  }
}

/** A port free on 127.0.0.1 now (the OS's pick), for a server that cannot take port 0. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

let instantiated = false;  // a failure from here on is the call's (PROTOCOL.md `instantiated`)
const result = await runCheck();
if (instantiated && !result.port) result.instantiated = true;
reply(result);
if (!result.port) drainAndExit();
