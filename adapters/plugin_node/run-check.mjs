// One check in its own process of the host's engine (Node, Deno or Bun; started by
// adapter.mjs): instantiate the transpiled
// component with a sandboxed WASIShim plus the check's host functions, run the check,
// write the result as one JSON line on fd 3. Guest output goes to this process's
// stdout/stderr, streamed by the adapter.
import { openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GuestExit, exportNamed, hostFunctionImports, invoke, missingImports, sandboxOptions,
         withGuestExit, withOutgoingHttp } from "../js_common/guest.mjs";
import { outcomeOf } from "../js_common/outcomes.mjs";
import { importFromHost } from "../js_common/transpile.mjs";
import { losslessCodec } from "../js_common/values.mjs";

const [host, dir, raw] = process.argv.slice(2);
const json = losslessCodec(await importFromHost(host, "lossless-json"));
const check = json.parse(raw).check;
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
const shim = new WASIShim(sandboxOptions(check, argv));
const imports = { ...withOutgoingHttp(withGuestExit(shim.getImportObject()), check, outgoingHandler),
                  ...hostFunctionImports(check.host_functions) };
const getCoreModule = (path) => new WebAssembly.Module(readFileSync(join(dir, path)));

async function runCheck() {
  const missing = missingImports(JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")).imports, imports);
  if (missing) return missing;
  reply({ running: true });  // guest code may run from here on (start functions)
  let instance;
  try {
    instance = await instantiate(getCoreModule, imports);
  } catch (err) {
    if (err instanceof GuestExit) return { outcome: "ok", exit_code: err.code };
    const text = String(err?.stack ?? err);
    return { outcome: outcomeOf(text, true), error: text };
  }
  instantiated = true;
  try {
    if (check.kind === "invoke") return await invoke(instance, check);
    if (check.kind === "cli") {
      const run = instance[exportNamed(instance, "wasi:cli/run")];
      if (!run) return { outcome: "refused", error: "Not a valid command component to execute (no wasi:cli/run export)" };
      try {
        await run.run();
      } catch (err) {
        if (err?.payload === undefined) throw err;
        return { outcome: "ok", exit_code: 1 };  // run returned err
      }
      return { outcome: "ok", exit_code: 0 };
    }
    if (check.kind === "http") {
      const server = new HTTPServer(instance[exportNamed(instance, "wasi:http/incoming-handler")]);
      server.listen(0, "127.0.0.1");
      return { port: server.address().port };  // the adapter makes the request, then kills us
    }
    return { outcome: "ok" };  // instantiate
  } catch (err) {
    if (err instanceof GuestExit) return { outcome: "ok", exit_code: err.code };
    const text = String(err?.stack ?? err);
    return { outcome: outcomeOf(text, true), error: text };
  }
}

let instantiated = false;  // a failure from here on is the call's (PROTOCOL.md `instantiated`)
const result = await runCheck();
if (instantiated && !result.port) result.instantiated = true;
reply(result);
if (!result.port) drainAndExit();
