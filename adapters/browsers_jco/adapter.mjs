// browsers_jco and firefox_jco: components transpiled by jco (the same cache as
// plugin_node) run in a real headless browser (drivers.mjs: Debian's Chromium through
// playwright-core, Firefox ESR through puppeteer-core; the host is this script's argument,
// browsers_jco by default). One browser stays up across checks; each check gets a new
// page, served from 127.0.0.1 with an import map pointing at preview2-shim's browser
// build. Console output and page errors stream back as output lines; a page error or a
// crashed page is `error` for that check only; a browser that dies under a check makes
// that check `error` at once ("the browser exited: ...") and is relaunched for the next.
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, relative } from "node:path";
import { tmpdir } from "node:os";
import { errorText } from "../js_common/outcomes.mjs";
import { json, onceCommand, serve, servedHost } from "../js_common/protocol.mjs";
import { ROOT, hostFolder, importFromHost, packageVersion, transpileForCheck } from "../js_common/transpile.mjs";
import { driverOf } from "./drivers.mjs";
import { alive, killNaming, mainProcess, watchExit } from "./liveness.mjs";

const { host: HOST, args: HOST_ARGS } = servedHost("browsers_jco");
// The cleanup after a kill (cleanup.sh): waits for the browser, in a process group of its
// own, to leave, kills what lingers, and removes this adapter's temp folder.
const CLEANUP = join(ROOT, "adapters", "browsers_jco", "cleanup.sh");
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
                ".html": "text/html", ".json": "application/json" };

class BrowserJco {
  host = HOST;
  browser = null;
  server = null;

  async hello() {
    this.driver = driverOf(HOST);
    if (this.driver.missing) return { available: false, install: this.driver.install, reason: this.driver.missing };
    const jcoVersion = packageVersion(HOST, "@bytecodealliance/jco");
    this.jcoVersion = jcoVersion;
    this.jco = await importFromHost(HOST, "@bytecodealliance/jco");
    const library = `${this.driver.library} ${packageVersion(HOST, this.driver.library)}`;
    this.privateTmp();
    return { available: true, version: `${this.driver.version()}, jco ${jcoVersion}, ${library}`,
             cleanup: ["sh", CLEANUP, this.tmp] };
  }

  /** playwright and puppeteer make each browser's profile (and artifacts) folders in
   * os.tmpdir() and remove them on close only: an adapter killed at a check's timeout left
   * them behind in /tmp, every time. They go into a folder of this adapter's own instead,
   * which it removes on close and which its hello's `cleanup` removes after a kill. 0711:
   * Chromium (as `nobody`) must reach its profile inside; nobody may list or write it. */
  privateTmp() {
    this.outerTmp = tmpdir();
    this.tmp = mkdtempSync(join(this.outerTmp, `wasmtui-${HOST}-`));
    chmodSync(this.tmp, 0o711);
    process.env.TMPDIR = this.tmp;  // os.tmpdir() reads it at each call
  }

  command(request) {
    return onceCommand(new URL(import.meta.url).pathname, request, HOST_ARGS);
  }

  /** Serves the project (adapters, the host's node_modules) and the jco cache, read-only. */
  async startServer() {
    const modules = join(hostFolder(HOST), "node_modules");
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

  /** A browser up for the next check: the one running, or a new one when it is gone
   * (its leftovers killed first), watched for its exit (liveness.mjs). */
  async ensureBrowser(request) {
    if (this.browser && this.driver.connected(this.browser)
        && (this.browserPid === null || alive(this.browserPid))) return;  // null: not found, the driver's word stands
    this.dropBrowser();
    ({ browser: this.browser, note: this.sandboxNote } = await this.driver.launch(HOST, request, this.outerTmp));
    this.browserPid = mainProcess(this.tmp, this.driver.mainMark);
    this.watch = watchExit(this.browserPid, (listener) => this.driver.onDisconnect(this.browser, listener));
  }

  /** Forget a dead browser: whatever it left (renderers, crashpad handlers) is killed,
   * and its profile folder removed; the next check launches a new one. */
  dropBrowser(browser = this.browser) {
    if (!browser || browser !== this.browser) return;  // already dropped (and maybe relaunched)
    this.watch.stop();
    this.browser.close().catch(() => {});  // not awaited: a dead browser may never answer
    this.browser = null;
    killNaming(this.tmp);
    for (const entry of readdirSync(this.tmp)) rmSync(join(this.tmp, entry), { recursive: true, force: true });
  }

  async run(request, out) {
    const [dir, refused] = await transpileForCheck(this.jco, this.jcoVersion, request.component, {}, HOST);
    if (refused) return refused;
    this.cacheDir ??= join(dir, "..");
    if (!this.server) await this.startServer();
    await this.ensureBrowser(request);
    if (this.sandboxNote) out.note(this.sandboxNote);
    // The browser may die under the check (killed, crashed): the check is `error` at once,
    // with why, never a wait on a page no browser will give; the next one relaunches it.
    const browser = this.browser;
    const exited = this.watch.gone.then((why) => {
      this.dropBrowser(browser);
      return { outcome: "harness-error", error: `the browser exited: ${why}; it is relaunched for the next check` };
    });
    const checked = this.checkInPage(request, out, dir).catch(async (err) => {
      // a browser that died makes its page's calls fail first: say why, once it is known
      const why = await Promise.race([exited, new Promise((ok) => setTimeout(ok, 1000, null))]);
      return why ?? { outcome: "harness-error", error: `the browser failed: ${err.message ?? err}` };
    });
    return Promise.race([exited, checked]);
  }

  async checkInPage(request, out, dir) {
    const page = await this.driver.newPage(this.browser);
    // The page may fetch its own origin only: any other request (a guest's outgoing
    // HTTP through the shim's fetch) is aborted before it leaves the browser.
    await page.allowOnly(this.base);
    const problems = [];
    page.onConsole((type, text) => out.lines(["error", "warning", "warn"].includes(type) ? "stderr" : "stdout",
                                             text.split("\n")));
    page.onPageError((err) => { problems.push(`page error: ${errorText(err)}`); out.lines("stderr", String(err).split("\n")); });
    const crashed = new Promise((ok) => page.onCrash(() => ok({ outcome: "harness-error", error: "the browser page crashed" })));
    try {
      await page.goto(`${this.base}/`);
      const componentUrl = `${this.base}/jco/${dir.split("/").pop()}/component.js`;
      out.running();  // the page is up: guest code runs from here
      // the memory limit, where the engine takes none from its command line, is declared
      // on the component's memories by the page (js_common/memory-limit.mjs)
      const declared = this.driver.declaresMemoryLimit ? (request.memory_limit ?? 0) : 0;
      const answer = page.evaluate(async ([pageModule, url, checkText, memoryLimit]) => {
        const { runCheck } = await import(pageModule);
        return runCheck(url, checkText, memoryLimit);
      }, [`${this.base}/adapters/browsers_jco/page.mjs`, componentUrl, json.stringify(request.check), declared]);
      const result = await Promise.race([crashed, answer.then((text) => json.parse(text))]);
      if (problems.length && result.outcome === "ok") {
        return { outcome: "harness-error", error: problems.join("\n") };
      }
      return result;
    } finally {
      await page.close().catch(() => {});
    }
  }

  async close() {
    this.watch?.stop();
    await this.browser?.close().catch(() => {});
    this.server?.close();
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }
}

await serve(new BrowserJco());
