// One check in its own Node process (started by adapter.mjs): instantiate the transpiled
// component with a sandboxed WASIShim plus the check's host functions, run the check,
// write the result as one JSON line on fd 3. Guest output goes to this process's
// stdout/stderr, streamed by the adapter.
import { readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BUILTIN_HOST_FUNCTIONS, failureOutcome } from "../js_common/protocol.mjs";
import { camel, hostFunctionImports, importFromHost, splitFunction } from "../js_common/transpile.mjs";

const [dir, raw] = process.argv.slice(2);
const request = JSON.parse(raw);
const check = request.check;
const reply = (obj) => writeSync(3, JSON.stringify(obj) + "\n");

const { WASIShim } = await importFromHost("plugin_node", "@bytecodealliance/preview2-shim/instantiation");
const { HTTPServer } = await importFromHost("plugin_node", "@bytecodealliance/preview2-shim/http");
const { instantiate } = await import(pathToFileURL(join(dir, "component.js")).href);

const argv0 = "component.wasm";
const shim = new WASIShim({ sandbox: { env: check.env ?? {}, args: [argv0, ...(check.args ?? [])], preopens: {} } });
const imports = { ...shim.getImportObject(), ...hostFunctionImports(check.host_functions, BUILTIN_HOST_FUNCTIONS) };
const getCoreModule = (path) => new WebAssembly.Module(readFileSync(join(dir, path)));

let instance;
try {
  instance = await instantiate(getCoreModule, imports);
} catch (err) {
  const text = String(err?.stack ?? err);
  reply({ outcome: failureOutcome(text), error: text });
  process.exit(0);
}

const exportNamed = (prefix) =>
  Object.keys(instance).find((k) => k === prefix || k.startsWith(`${prefix}@`));

try {
  if (check.kind === "invoke") {
    const [iface, fn] = splitFunction(check.function);
    const target = iface ? instance[exportNamed(iface)] : instance;
    const f = target?.[camel(fn)];
    if (typeof f !== "function") {
      reply({ outcome: "refused", error: `no exported function ${check.function}` });
    } else {
      reply({ outcome: "ok", value: await f(...check.args) });
    }
  } else if (check.kind === "cli") {
    const run = instance[exportNamed("wasi:cli/run")];
    if (!run) {
      reply({ outcome: "refused", error: "Not a valid command component to execute (no wasi:cli/run export)" });
    } else {
      let code = 0;
      try {
        await run.run();
      } catch (err) {
        if (err?.name === "ComponentError" || err?.payload !== undefined) code = 1;  // run returned err
        else throw err;
      }
      reply({ outcome: "ok", exit_code: code });
    }
  } else if (check.kind === "http") {
    const handler = instance[exportNamed("wasi:http/incoming-handler")];
    const server = new HTTPServer(handler);
    server.listen(0, "127.0.0.1");
    reply({ port: server.address().port });  // the adapter makes the request, then kills us
  } else {
    reply({ outcome: "ok" });  // instantiate
  }
} catch (err) {
  const text = String(err?.stack ?? err);
  reply({ outcome: "trapped", error: text });
}
if (check.kind !== "http") process.exit(0);
