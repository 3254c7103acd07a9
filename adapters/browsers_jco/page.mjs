// Runs in the browser page (served by adapter.mjs): instantiate the transpiled component
// with preview2-shim's browser build (resolved through the page's import map) and the
// check's host functions, then run an invoke or instantiate check.
import { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";
import { failureOutcome, hostFunctionImports, invoke } from "/adapters/js_common/guest.mjs";

export async function runCheck(componentUrl, check) {
  const { instantiate } = await import(componentUrl);
  const shim = new WASIShim({ sandbox: { env: check.env ?? {}, args: ["component.wasm", ...(check.args ?? [])] } });
  const imports = { ...shim.getImportObject(), ...hostFunctionImports(check.host_functions) };
  const getCoreModule = (path) => WebAssembly.compileStreaming(fetch(new URL(path, componentUrl)));
  let instance;
  try {
    instance = await instantiate(getCoreModule, imports);
  } catch (err) {
    const text = String(err?.stack ?? err);
    return { outcome: failureOutcome(text), error: text };
  }
  return check.kind === "invoke" ? invoke(instance, check) : { outcome: "ok" };
}
