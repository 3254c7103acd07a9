// jco transpilation, cached by component sha256 and jco version in $WASMTUI_CACHE/jco.
// Both jco hosts (Node and the browser) load the same cached output: the component
// transpiled in `async` instantiation mode, so the host supplies every import itself
// (WASI shims configured per check, host functions) instead of ambient defaults.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = join(dirname(new URL(import.meta.url).pathname), "..", "..");

/**
 * The folder whose package.json and node_modules hold a host's packages: a release chosen
 * with -H NAME@VERSION (installed by host.toml [releases], named by WASMTUI_HOST_MODULES),
 * else hosts/<name>.
 */
export function hostFolder(host) {
  return process.env.WASMTUI_HOST_MODULES || join(ROOT, "hosts", host);
}

/** Resolve and import a package installed in a host's folder. */
export function hostRequire(host) {
  return createRequire(join(hostFolder(host), "package.json"));
}

/**
 * Import a package installed in a host's folder, by its ES module entry where its
 * package.json `exports` names one (`import`), else as require() would find it: Deno and
 * Bun load a UMD build as an ES module without its exports, Node either way.
 */
export async function importFromHost(host, specifier) {
  return import(pathToFileURL(esmEntry(host, specifier) ?? hostRequire(host).resolve(specifier)).href);
}

function esmEntry(host, specifier) {
  const parts = specifier.split("/");
  const name = parts.slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
  const dir = join(hostFolder(host), "node_modules", name);
  try {
    const { exports } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const sub = `.${specifier.slice(name.length)}`;
    let entry = typeof exports === "string" && sub === "." ? exports : exports?.[sub];
    while (entry && typeof entry === "object") entry = entry.import ?? entry.default;
    return typeof entry === "string" ? join(dir, entry) : null;
  } catch {
    return null;
  }
}

/**
 * What `BINARY --version` says: `pattern`'s first group, else its first line; null when
 * the binary does not run (an engine or a browser a host drives, or the user's own).
 */
export function binaryVersion(binary, pattern = null) {
  try {
    const text = execFileSync(binary, ["--version"], { encoding: "utf8", timeout: 30_000,
                                                      stdio: ["ignore", "pipe", "ignore"] });
    return (pattern && text.match(pattern)?.[1]) || text.trim().split("\n")[0];
  } catch {
    return null;
  }
}

/** The version of a package installed in a host's folder, or null when it is missing. */
export function packageVersion(host, name) {
  try {
    const pkg = join(hostFolder(host), "node_modules", name, "package.json");
    return JSON.parse(readFileSync(pkg, "utf8")).version;
  } catch {
    return null;
  }
}

const cacheRoot = () =>
  process.env.WASMTUI_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wasmtui");

// What jco's JSPI async mode must lift as async: the WASI 0.3 entry points (their exports
// are async functions in WASI 0.3), by interface name without its version.
const WASI_03_ASYNC_EXPORTS = { "wasi:cli/run": "run", "wasi:http/handler": "handle" };

/**
 * transpileCached for an adapter's run(): [dir, null], or [null, a `refused` result] when
 * jco would not translate the component (any other failure propagates: a harness error).
 * A component of WASI 0.3 (the request's `check.wasi`, from wasmtui's inspection) is
 * transpiled in jco's JSPI async mode, its WASI 0.3 exports lifted as async: the route
 * of wasi-testsuite's jco runner; the host links preview3-shim (js_common/wasi03.mjs).
 */
export async function transpileForCheck(jco, jcoVersion, componentPath, check = {}, host = null) {
  try {
    const plain = await transpileCached(jco, jcoVersion, componentPath, null, host);
    if (!(check.wasi ?? []).includes("0.3")) return [plain.dir, null];
    // only the 0.3 versions: a 0.2 `run` exported beside them stays synchronous
    const asyncExports = plain.exports.map(([name]) => name)
      .filter((name) => WASI_03_ASYNC_EXPORTS[name.split("@")[0]] && name.split("@")[1]?.startsWith("0.3."))
      .map((name) => `${name}#${WASI_03_ASYNC_EXPORTS[name.split("@")[0]]}`);
    return [(await transpileCached(jco, jcoVersion, componentPath, asyncExports, host)).dir, null];
  } catch (err) {
    if (err instanceof TranspileRefusal) return [null, { outcome: "refused", error: err.message }];
    throw err;
  }
}

// jco's translator is itself a component, instantiated once per process: once it traps
// (a panic on some input), every later call in this process fails with "cannot enter
// component instance", whatever the component. From then on each translation runs in a
// process of its own (transpile-child.mjs), so one component's trap is its own refusal.
let translatorTrapped = false;

async function translate(jco, host, bytes, componentPath, options) {
  if (!translatorTrapped || !host) {
    try {
      return await jco.transpile(bytes, options);
    } catch (err) {
      const text = String(err?.message ?? err);
      if (!host || !/wasm trap|RuntimeError|unreachable/.test(text)) throw new TranspileRefusal(err);
      translatorTrapped = true;  // this component's answer comes from a fresh translator
    }
  }
  const child = spawnSync(process.execPath, [join(ROOT, "adapters", "js_common", "transpile-child.mjs"),
                                             host, componentPath, JSON.stringify(options)],
                          { encoding: "utf8", maxBuffer: 1 << 30 });
  let answer;
  try {
    answer = JSON.parse(child.stdout);
  } catch {
    throw new Error(`jco's transpile process ended without an answer (${child.signal ?? child.status}): ${child.stderr}`);
  }
  if (answer.error !== undefined) throw new TranspileRefusal(answer.error);
  const files = Object.fromEntries(Object.entries(answer.files).map(([n, b64]) => [n, Buffer.from(b64, "base64")]));
  return { files, imports: answer.imports, exports: answer.exports };
}

/** jco would not translate the component: the host's refusal, not a harness failure. */
export class TranspileRefusal extends Error {
  constructor(cause) {
    super(`jco could not transpile the component: ${cause?.message ?? cause}`);
  }
}

/**
 * Transpile a component (cached). Returns {dir, imports, exports}: `dir` holds
 * component.js (exports `instantiate`), its core modules and a package.json that makes
 * Node treat it as an ES module.
 */
export async function transpileCached(jco, jcoVersion, componentPath, asyncExports = null, host = null) {
  const bytes = await readFile(componentPath);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const mode = asyncExports ? `-jspi-${createHash("sha256").update(asyncExports.join(",")).digest("hex").slice(0, 12)}` : "";
  const dir = join(cacheRoot(), "jco", jcoVersion, sha + mode);
  const metaPath = join(dir, "meta.json");
  if (existsSync(metaPath)) {
    const meta = JSON.parse(await readFile(metaPath, "utf8"));
    if (!meta.coreModules) {  // a folder from before meta.json named its core modules
      meta.coreModules = (await readdir(dir)).filter((f) => f.endsWith(".wasm")).sort();
      const tmp = `${metaPath}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(tmp, JSON.stringify(meta));
      await rename(tmp, metaPath);  // the browser page reads it from there
    }
    return { dir, ...meta };
  }
  const out = await translate(jco, host, bytes, componentPath,
                              { name: "component", instantiation: "async", noTypescript: true,
                                ...(asyncExports ? { asyncMode: "jspi", asyncExports } : {}) });
  // Publish atomically: write a private folder, then rename it into place. Concurrent
  // first runs (several adapters, several hosts) each write their own; the first rename
  // wins and the others, finding the folder there, use it: nobody deletes anybody's.
  const tmp = `${dir}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  for (const [name, data] of Object.entries(out.files)) {
    await mkdir(dirname(join(tmp, name)), { recursive: true });
    await writeFile(join(tmp, name), data);
  }
  await writeFile(join(tmp, "package.json"), '{"type": "module"}\n');
  const coreModules = Object.keys(out.files).filter((f) => f.endsWith(".wasm")).sort();
  await writeFile(join(tmp, "meta.json"), JSON.stringify({ imports: out.imports, exports: out.exports, coreModules }));
  try {
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (!["ENOTEMPTY", "EEXIST"].includes(err.code) || !existsSync(metaPath)) throw err;
  }
  return { dir, imports: out.imports, exports: out.exports, coreModules };
}
