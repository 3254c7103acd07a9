// WASI 0.3 for a jco-transpiled component (JSPI async mode, transpile.mjs): the import
// object from @bytecodealliance/preview3-shim (which jco brings along), as wasi-testsuite's
// jco runner links it, sandboxed per check. preview3-shim keeps its configuration in module
// globals (the arguments, the environment and the preopens are preview2-shim's cli and
// filesystem state): fine here, where each check is a process of its own.
import { importFromHost } from "../js_common/transpile.mjs";

// jco's WASI 0.3 handler on the instance, by interface name without version.
export const HTTP_HANDLER = "wasi:http/handler";

const DENIED_OUTGOING_HTTP = { async send() { throw { tag: "HTTP-request-denied" }; } };

/**
 * The imports for WASI 0.3, keyed as jco's instantiate reads them (unversioned). The
 * guest gets the check's argv and env only, the directories it grants, sockets only when
 * it grants `network` and outgoing HTTP only when it grants `http-outgoing` (an import it
 * is not given is reported missing before it runs, or denied when called).
 */
export async function wasi03Imports(host, check, argv) {
  const shim = (name) => importFromHost(host, `@bytecodealliance/preview3-shim/${name}`);
  const [cli, clocks, filesystem, http, random, sockets] = await Promise.all(
    ["cli", "clocks", "filesystem", "http", "random", "sockets"].map(shim));
  const grants = check.grants ?? {};
  cli._setArgs(argv);
  cli._setEnv(check.env ?? {});
  cli._setCwd(null);
  filesystem._setPreopens(Object.fromEntries((grants.dirs ?? []).map((d) => [d, d])));
  const imports = {
    "wasi:cli/environment": cli.environment,
    "wasi:cli/exit": cli.exit,
    "wasi:cli/stdin": cli.stdin,
    "wasi:cli/stdout": cli.stdout,
    "wasi:cli/stderr": cli.stderr,
    "wasi:cli/types": {},
    "wasi:cli/terminal-input": cli.terminalInput,
    "wasi:cli/terminal-output": cli.terminalOutput,
    "wasi:cli/terminal-stdin": cli.terminalStdin,
    "wasi:cli/terminal-stdout": cli.terminalStdout,
    "wasi:cli/terminal-stderr": cli.terminalStderr,
    "wasi:clocks/monotonic-clock": clocks.monotonicClock,
    "wasi:clocks/system-clock": clocks.systemClock,
    "wasi:clocks/types": {},
    "wasi:filesystem/preopens": filesystem.preopens,
    "wasi:filesystem/types": filesystem.types,
    "wasi:http/types": http.types,
    "wasi:http/client": grants["http-outgoing"] ? http.client : DENIED_OUTGOING_HTTP,
    "wasi:random/random": random.random,
    "wasi:random/insecure": random.insecure,
    "wasi:random/insecure-seed": random.insecureSeed,
  };
  if (grants.network) {
    imports["wasi:sockets/types"] = sockets.types;
    imports["wasi:sockets/ip-name-lookup"] = sockets.ipNameLookup;
  }
  return { imports, http };
}

/**
 * jco gives an export's result<T, E> as T, or throws E as a ComponentError's payload;
 * preview3-shim's HttpServer wants the handler's result as {tag, val}.
 */
export function handlerForServer(handler) {
  return {
    async handle(request) {
      try {
        return { tag: "ok", val: await handler.handle(request) };
      } catch (err) {
        if (err?.payload !== undefined) return { tag: "err", val: err.payload };
        throw err;
      }
    },
  };
}

/**
 * A component of both WASI releases (a WASI 0.3 command that also imports wasi:io/streams
 * 0.2, as wit-bindgen's output may) gets both: WASI 0.2's sandboxed imports (also under
 * their unversioned names, as jco's JSPI output looks them up), with WASI 0.3's functions
 * added to an interface both have.
 */
export function withWasi02(wasi02, wasi03) {
  const out = { ...wasi02 };
  for (const [name, functions] of Object.entries(wasi02)) out[name.split("@")[0]] ??= functions;
  for (const [name, functions] of Object.entries(wasi03)) out[name] = { ...(out[name] ?? {}), ...functions };
  return out;
}
