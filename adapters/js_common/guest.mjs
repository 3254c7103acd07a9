// Pieces shared by every JavaScript host, in Node and in the browser alike (no Node
// imports here): the builtin host functions of adapters/PROTOCOL.md and jco's naming.

// Host functions every adapter provides, by the names guest manifests use.
export const BUILTIN_HOST_FUNCTIONS = {
  reverse: (s) => [...s].reverse().join(""),
  upper: (s) => s.toUpperCase(),
  identity: (s) => s,
};

/** jco's JS names: kebab-case WIT names become camelCase. */
export const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

/** Split "iface.func" (or a root "func") into [iface | null, func]. */
export function splitFunction(fn) {
  const i = fn.lastIndexOf(".");
  return i < 0 ? [null, fn] : [fn.slice(0, i), fn.slice(i + 1)];
}

/** The host-function imports a check asks for, by interface, from the builtins. */
export function hostFunctionImports(hostFunctions) {
  const imports = {};
  for (const [name, builtin] of Object.entries(hostFunctions ?? {})) {
    const [iface, fn] = splitFunction(name);
    (imports[iface] ??= {})[camel(fn)] = BUILTIN_HOST_FUNCTIONS[builtin];
  }
  return imports;
}

/** The instance export named `prefix` (any @version). */
export const exportNamed = (instance, prefix) =>
  Object.keys(instance).find((k) => k === prefix || k.startsWith(`${prefix}@`));

/** `trapped` when the error reads like a trap (a RuntimeError), else `refused`. */
export function failureOutcome(text) {
  return /RuntimeError|unreachable|wasm trap|call stack/i.test(text) ? "trapped" : "refused";
}

/** Call an invoke check's function on an instance: a result for adapters/PROTOCOL.md. */
export async function invoke(instance, check) {
  const [iface, fn] = splitFunction(check.function);
  const target = iface ? instance[exportNamed(instance, iface)] : instance;
  const f = target?.[camel(fn)];
  if (typeof f !== "function") return { outcome: "refused", error: `no exported function ${check.function}` };
  try {
    return { outcome: "ok", value: await f(...check.args) };
  } catch (err) {
    return { outcome: "trapped", error: String(err?.stack ?? err) };
  }
}
