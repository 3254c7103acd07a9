// Pieces shared by every JavaScript host, in Node and in the browser alike (no Node
// imports here): the builtin host functions of adapters/PROTOCOL.md, jco's naming, and
// the typed call of an invoke check (values.mjs).
import { errorText, outcomeOf } from "./outcomes.mjs";
import { runSteps } from "./steps.mjs";
import { camel, resultOf, settleReturn, toJcoArgs } from "./values.mjs";

export { camel };

// Host functions every adapter provides, by the names guest manifests use.
export const BUILTIN_HOST_FUNCTIONS = {
  reverse: (s) => [...s].reverse().join(""),
  upper: (s) => s.toUpperCase(),
  identity: (s) => s,
};


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

/**
 * A refusal naming each import the import object lacks, or null. jco's generated code
 * fails on a missing root import (`import foo: func()`, a resource) with an anonymous
 * TypeError ("reading 'default'"); named as wasmtime names a missing import, the
 * verdict's diagnosis can say what is missing. `specifiers`: jco transpile's `imports`.
 */
export function missingImports(specifiers, imports) {
  const missing = (specifiers ?? []).filter((s) => !Object.hasOwn(imports, s));
  if (!missing.length) return null;
  const lines = missing.map((s) => `component imports \`${s}\`, but a matching implementation was not found in the import object`);
  return { outcome: "refused", error: lines.join("\n") };
}

/** The instance export named `prefix` (any @version). */
export const exportNamed = (instance, prefix) =>
  Object.keys(instance).find((k) => k === prefix || k.startsWith(`${prefix}@`));

/**
 * The command's wasi:cli/run instance to run: the first of the request's `run_exports`
 * (the core orders them: the newest WASI version this host runs first) that the instance
 * has. jco keys each under its full versioned name (and aliases the first as `run`), so
 * a component exporting run@0.2.0 beside run@0.3.0 must not be run through the alias.
 */
export function runExport(instance, check) {
  const name = (check.run_exports ?? []).find((n) => Object.hasOwn(instance, n))
    ?? exportNamed(instance, "wasi:cli/run");
  return name ? instance[name] : undefined;
}


/**
 * V8's flag capping a guest's linear memories at the request's memory_limit (bytes), as
 * 64 KiB pages: memory.grow past it fails, as it does under wasmtime's limits.
 */
export function memoryFlags(request) {
  const limit = Number(request.memory_limit ?? 0);
  return limit > 0 ? [`--wasm-max-mem-pages=${Math.max(1, Math.floor(limit / 65536))}`] : [];
}

/**
 * preview2-shim's WASIShim options for a check: its env and argv, the directories it
 * grants (seen at the same path), sockets only when it grants `network`.
 * (preview2-shim's own defaults are the process's env and network: never used here.)
 */
export function sandboxOptions(check, argv, withPreopens = true) {
  const grants = check.grants ?? {};
  const sandbox = { env: check.env ?? {}, args: argv, enableNetwork: Boolean(grants.network) };
  if (withPreopens) sandbox.preopens = Object.fromEntries((grants.dirs ?? []).map((d) => [d, d]));
  return { sandbox };
}

// What wasi:http/outgoing-handler answers when the check does not grant outgoing HTTP:
// the error-code a guest can read (jco passes a thrown non-Error as the `err` value).
const DENIED_OUTGOING_HTTP = { handle() { throw { tag: "HTTP-request-denied" }; } };

/**
 * The imports with wasi:http/outgoing-handler as the check grants it: `granted`
 * (preview2-shim's own handler) when it asks for http-outgoing, refused otherwise,
 * whatever `network` says (enableNetwork would couple the two).
 */
export function withOutgoingHttp(imports, check, granted) {
  const allowed = Boolean(check.grants?.["http-outgoing"]) && granted;
  const out = { ...imports };
  for (const name of Object.keys(imports)) {
    if (name.split("@")[0] === "wasi:http/outgoing-handler") out[name] = allowed ? granted : DENIED_OUTGOING_HTTP;
  }
  return out;
}

/** Thrown by the wrapped wasi:cli/exit: unwinds the guest, carries its exit code. */
export class GuestExit extends Error {
  constructor(code) {
    super(`the guest exited with code ${code}`);
    this.code = code;
  }
}

/**
 * The WASI imports with wasi:cli/exit wrapped: a guest's exit unwinds its call as a
 * GuestExit instead of ending the process (the shim's own exit would drop output still
 * queued, and look like a crash).
 */
export function withGuestExit(imports) {
  const exit = imports["wasi:cli/exit"];
  if (!exit) return imports;
  const wrapped = {
    ...exit,
    exit: (status) => { throw new GuestExit(status?.tag === "err" ? 1 : 0); },
    exitWithCode: (code) => { throw new GuestExit(code); },
  };
  return { ...imports, "wasi:cli/exit": wrapped };
}

/**
 * Call an invoke check's function on an instance, typed by its signature: a result for
 * adapters/PROTOCOL.md. Converting the values is the harness's job (a failure there is a
 * harness-error); only what the guest's own call throws is a trap.
 */
export async function invoke(instance, check) {
  if (check.steps) return scenario(instance, check.steps);
  const [iface, fn] = splitFunction(check.function);
  const target = iface ? instance[exportNamed(instance, iface)] : instance;
  const f = target?.[camel(fn)];
  if (typeof f !== "function") return { outcome: "refused", error: `no exported function ${check.function}` };
  let args;
  try {
    args = toJcoArgs(check.signature, check.args);
  } catch (err) {
    return { outcome: "harness-error", error: `cannot pass the arguments to jco: ${err?.stack ?? err}` };
  }
  return answer(() => f(...args), check.signature);
}

/**
 * Make a call and read its answer: its streams to their end and its futures awaited
 * (a trap while they are read is the call's), then in the value model, handles bound
 * under `bind`. A result for adapters/PROTOCOL.md (a stream past STREAM_CAP items is
 * cut: `value_truncated`).
 */
async function answer(call, signature, handles, bind = "") {
  let returned;
  let thrown;
  const cut = { items: 0 };
  try {
    returned = await settleReturn(signature, await call(), cut);
  } catch (err) {
    thrown = err ?? new Error(String(err));
  }
  if (thrown instanceof GuestExit) {  // as the wasmtime CLI says it: the call never returned
    return { outcome: "trapped", error: `${thrown.message} during the call` };
  }
  try {
    const value = resultOf(signature, returned, thrown, handles, bind);
    if (value === undefined) {
      const text = errorText(thrown);
      return { outcome: outcomeOf(text, true), error: text };
    }
    return { outcome: "ok", value, ...(cut.items ? { value_truncated: true } : {}) };
  } catch (err) {
    return { outcome: "harness-error", error: `cannot read jco's answer: ${err?.stack ?? err}` };
  }
}

/** jco's class name of a resource: UpperCamelCase (`kebab-case` -> KebabCase). */
const className = (resource) => camel(resource).replace(/^./, (c) => c.toUpperCase());
// jco gives each resource object a dispose method under this symbol (its symbolDispose).
const DISPOSE = Symbol.dispose ?? Symbol.for("dispose");

/**
 * What a scenario step calls on jco's exports, and on what: a constructor (`new`), a
 * method (on the handle its first argument names), a static or a plain function.
 */
function stepTarget(instance, step, args) {
  const iface = step.interface ? instance[exportNamed(instance, step.interface)] : instance;
  const [, kind, rest] = /^(?:\[(constructor|method|static)\])?(.*)$/.exec(step.name);
  const [resource, fn] = kind === "constructor" ? [rest, null] : kind ? rest.split(".") : [null, rest];
  const cls = resource && iface?.[className(resource)];
  if (kind === "constructor" && typeof cls === "function") return () => new cls(...args);
  if (kind === "method") return () => args[0][camel(fn)](...args.slice(1));
  const owner = kind === "static" ? cls : iface;
  const f = owner?.[camel(fn)];
  return typeof f === "function" ? () => f.apply(owner, args) : null;
}

/** A scenario's steps on one instance (runSteps: in order, until one fails). */
function scenario(instance, steps) {
  return runSteps(steps, (step, handles) => runStep(instance, step, handles),
    (handle) => answer(() => { handle[DISPOSE](); }, DROP_SIGNATURE, null));
}

const DROP_SIGNATURE = { params: [], result: null };

async function runStep(instance, step, handles) {
  let call;
  try {
    const args = toJcoArgs(step.signature, step.args, handles);
    call = stepTarget(instance, step, args);
    if (!call) return { outcome: "refused", error: `no exported function ${step.interface ?? ""}.${step.name}` };
  } catch (err) {
    return { outcome: "harness-error", error: `cannot pass the arguments to jco: ${err?.stack ?? err}` };
  }
  return answer(call, step.signature, handles, step.bind ?? "");
}
