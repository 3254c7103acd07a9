// Runs in the browser page (served by adapter.mjs): instantiate the transpiled component
// with preview2-shim's browser build (resolved through the page's import map) and the
// check's host functions, then run an invoke or instantiate check. The request and the
// result cross into and out of the page as lossless JSON text, so 64-bit integers stay
// exact on the way.
import * as lj from "lossless-json";
import { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";
import { hostFunctionImports, invoke, missingImports, sandboxOptions, withOutgoingHttp } from "/adapters/js_common/guest.mjs";
import { limitMemories } from "/adapters/js_common/memory-limit.mjs";
import { errorText, outcomeOf } from "/adapters/js_common/outcomes.mjs";
import { losslessCodec } from "/adapters/js_common/values.mjs";

const json = losslessCodec(lj);

export async function runCheck(componentUrl, checkText, memoryLimit = 0) {
  return json.stringify(await run(componentUrl, json.parse(checkText), memoryLimit));
}

// An invalid component's check (load_only): jco transpiled it (adapter.mjs) and the
// browser compiles every core module it holds; nothing is instantiated, so no missing
// import can be the reason for a refusal.
async function loadOnly(coreModules, getCoreModule) {
  try {
    for (const name of coreModules) await getCoreModule(name);
  } catch (err) {
    return { outcome: "refused", error: errorText(err) };
  }
  return { outcome: "ok" };
}

async function run(componentUrl, check, memoryLimit) {
  const { instantiate } = await import(componentUrl);
  // An invoke check's arguments are the function's, never the program's argv.
  // The browser shim's filesystem is in memory (no preopens of host paths to give).
  const shim = new WASIShim(sandboxOptions(check, ["component.wasm"], false));
  const imports = { ...withOutgoingHttp(shim.getImportObject(), check, null),
                    ...hostFunctionImports(check.host_functions) };
  const meta = await (await fetch(new URL("meta.json", componentUrl))).json();
  const getCoreModule = memoryLimit
    ? async (path) => WebAssembly.compile(limitMemories(await (await fetch(new URL(path, componentUrl))).arrayBuffer(), memoryLimit))
    : (path) => WebAssembly.compileStreaming(fetch(new URL(path, componentUrl)));
  if (check.load_only) return loadOnly(meta.coreModules ?? [], getCoreModule);
  const missing = missingImports(meta.imports, imports);
  if (missing) return missing;
  let instance;
  try {
    instance = await instantiate(getCoreModule, imports);
  } catch (err) {
    const text = errorText(err);
    return { outcome: outcomeOf(text, true), error: text };
  }
  // From here a failure is the call's, not a refusal (PROTOCOL.md `instantiated`).
  const result = check.kind === "invoke" ? await invoke(instance, check) : { outcome: "ok" };
  return { ...result, instantiated: true };
}
