// browsers_jco: the seed's browser host. Components transpiled by jco (the same cache as
// plugin_node) run in Debian's headless Chromium, driven by playwright-core. One
// browser stays up across checks; each check gets a new page, served from 127.0.0.1
// with an import map pointing at preview2-shim's browser build. Console output and
// page errors stream back as output lines; a page error or a crashed page is `error`
// for that check only, and a dead browser is relaunched for the next one.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, relative } from "node:path";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { memoryFlags } from "../js_common/guest.mjs";
import { json, onceCommand, serve } from "../js_common/protocol.mjs";
import { ROOT, importFromHost, packageVersion, transpileForCheck } from "../js_common/transpile.mjs";

const HOST = "browsers_jco";
const INSTALL = "make -C hosts/browsers_jco install";
const CHROMIUM = process.env.WASMTUI_CHROMIUM || "/usr/bin/chromium";
// No background networking (this is a closed network, and the page must reach only its
// own origin). Chromium keeps its own sandbox: as root (which it refuses to sandbox) it is
// started as `nobody` by chromium-sandboxed; --no-sandbox only where that cannot launch.
const FLAGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"];
const AS_NOBODY = join(ROOT, "adapters", HOST, "chromium-sandboxed");
// The cleanup after a kill: Chromium is in a process group of its own and leaves only when
// its pipe to the dead adapter closes, writing its profile's "Local State" as it goes; an
// rm racing that fails on the profile folder ("not empty"), so it retries for up to 10 s.
const RM_RETRY = 'for i in $(seq 20); do rm -rf -- "$1" 2>/dev/null && exit 0; sleep 0.5; done; rm -rf -- "$1"';
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
                ".html": "text/html", ".json": "application/json" };

class BrowsersJco {
  host = HOST;
  browser = null;
  server = null;

  async hello() {
    const jcoVersion = packageVersion(HOST, "@bytecodealliance/jco");
    const pwVersion = packageVersion(HOST, "playwright-core");
    if (!jcoVersion || !pwVersion) {
      return { available: false, install: INSTALL,
               reason: "jco, preview2-shim and playwright-core are not installed in hosts/browsers_jco" };
    }
    if (!existsSync(CHROMIUM)) {
      return { available: false, install: "sudo apt-get install chromium", reason: `no Chromium at ${CHROMIUM}` };
    }
    this.jcoVersion = jcoVersion;
    this.jco = await importFromHost(HOST, "@bytecodealliance/jco");
    const pw = await importFromHost(HOST, "playwright-core");
    this.playwright = pw.chromium ? pw : pw.default;  // a CommonJS package
    const chromium = execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    this.privateTmp();
    return { available: true, version: `${chromium}, jco ${jcoVersion}, playwright-core ${pwVersion}`,
             cleanup: ["sh", "-c", RM_RETRY, "sh", this.tmp] };
  }

  /** playwright makes each browser's profile and artifacts folders in os.tmpdir() and
   * removes them on close only: an adapter killed at a check's timeout left both behind
   * in /tmp, every time. They go into a folder of this adapter's own instead, which it
   * removes on close and which its hello's `cleanup` removes after a kill. 0711: Chromium
   * (as `nobody`) must reach its profile inside; nobody may list or write the folder. */
  privateTmp() {
    this.outerTmp = tmpdir();
    this.tmp = mkdtempSync(join(this.outerTmp, "wasmtui-browsers_jco-"));
    chmodSync(this.tmp, 0o711);
    process.env.TMPDIR = this.tmp;  // os.tmpdir() reads it at each call
  }

  command(request) {
    return onceCommand(new URL(import.meta.url).pathname, request);
  }

  /** Serves the project (adapters, the host's node_modules) and the jco cache, read-only. */
  async startServer() {
    const modules = join(ROOT, "hosts", HOST, "node_modules");
    const shimDir = join(modules, "@bytecodealliance", "preview2-shim");
    const roots = { "/adapters/": join(ROOT, "adapters"), "/shim/": shimDir, "/jco/": this.cacheDir,
                    "/lossless/": join(modules, "lossless-json", "lib", "esm") };
    const importMap = { imports: {
      "lossless-json": "/lossless/index.js",
      "@bytecodealliance/preview2-shim": "/shim/dist/browser/index.js",
      "@bytecodealliance/preview2-shim/instantiation": "/shim/dist/common/instantiation.js",
      "@bytecodealliance/preview2-shim/": "/shim/dist/browser/",
    } };
    const page = `<!doctype html><meta charset="utf-8"><title>wasmtui</title><link rel="icon" href="data:,">` +
                 `<script type="importmap">${JSON.stringify(importMap)}</script>`;
    this.server = createServer((req, res) => {
      const url = new URL(req.url, "http://x");
      if (url.pathname === "/") return res.writeHead(200, { "content-type": "text/html" }).end(page);
      for (const [prefix, dir] of Object.entries(roots)) {
        if (!url.pathname.startsWith(prefix)) continue;
        const file = normalize(join(dir, url.pathname.slice(prefix.length)));
        if (relative(dir, file).startsWith("..") || !existsSync(file)) break;
        return res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" })
                  .end(readFileSync(file));
      }
      res.writeHead(404).end();
    });
    await new Promise((ok) => this.server.listen(0, "127.0.0.1", ok));
    this.base = `http://127.0.0.1:${this.server.address().port}`;
  }

  async ensureBrowser(request) {
    if (this.browser?.isConnected()) return;
    // playwright gives each launch a fresh, temporary profile (removed on close); a run's
    // memory limit is the same for every check, so the first request's caps the browser.
    const js = memoryFlags(request);
    const args = js.length ? [...FLAGS, `--js-flags=${js.join(" ")}`] : FLAGS;
    const root = process.getuid?.() === 0;
    // chromiumSandbox: playwright's default (false) would add --no-sandbox itself.
    const launch = (executablePath, chromiumSandbox) => this.playwright.chromium.launch({
      executablePath, headless: true, args, chromiumSandbox,
      env: { ...process.env, TMPDIR: this.outerTmp, WASMTUI_CHROMIUM_BIN: CHROMIUM } });
    try {
      this.browser = await launch(root ? AS_NOBODY : CHROMIUM, true);
      this.sandboxNote = null;
    } catch (err) {
      this.browser = await launch(CHROMIUM, false);
      this.sandboxNote = `Chromium ran without its sandbox (--no-sandbox): the sandboxed launch failed: ${String(err.message ?? err).split("\n")[0]}`;
    }
  }

  async run(request, out) {
    const [dir, refused] = await transpileForCheck(this.jco, this.jcoVersion, request.component);
    if (refused) return refused;
    this.cacheDir ??= join(dir, "..");
    if (!this.server) await this.startServer();
    await this.ensureBrowser(request);
    if (this.sandboxNote) out.note(this.sandboxNote);
    const page = await this.browser.newPage();
    // The page may fetch its own origin only: any other request (a guest's outgoing
    // HTTP through the shim's fetch) is aborted before it leaves the browser.
    await page.route((url) => url.origin !== this.base, (route) => route.abort("blockedbyclient"));
    const problems = [];
    page.on("console", (msg) => out.lines(["error", "warning"].includes(msg.type()) ? "stderr" : "stdout",
                                          msg.text().split("\n")));
    page.on("pageerror", (err) => { problems.push(`page error: ${err.stack ?? err}`); out.lines("stderr", String(err).split("\n")); });
    const crashed = new Promise((ok) => page.on("crash", () => ok({ outcome: "harness-error", error: "the browser page crashed" })));
    try {
      await page.goto(`${this.base}/`);
      const componentUrl = `${this.base}/jco/${dir.split("/").pop()}/component.js`;
      out.running();  // the page is up: guest code runs from here
      const answer = page.evaluate(async ([pageModule, url, checkText]) => {
        const { runCheck } = await import(pageModule);
        return runCheck(url, checkText);
      }, [`${this.base}/adapters/browsers_jco/page.mjs`, componentUrl, json.stringify(request.check)]);
      const result = await Promise.race([crashed, answer.then((text) => json.parse(text))]);
      if (problems.length && result.outcome === "ok") {
        return { outcome: "harness-error", error: problems.join("\n") };
      }
      return result;
    } catch (err) {
      return { outcome: "harness-error", error: `the browser failed: ${err.message ?? err}` };
    } finally {
      await page.close().catch(() => {});
    }
  }

  async close() {
    await this.browser?.close().catch(() => {});
    this.server?.close();
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }
}

await serve(new BrowsersJco());
