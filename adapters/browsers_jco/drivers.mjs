// The browsers a jco-transpiled component runs in, each behind one small interface that
// adapter.mjs drives: Debian's Chromium through playwright-core (browsers_jco), Debian's
// Firefox ESR through puppeteer-core over WebDriver BiDi (firefox_jco: Playwright drives
// only its own patched Firefox, which cannot be downloaded here). Each keeps its browser's
// own sandbox.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { memoryFlags } from "../js_common/guest.mjs";
import { ROOT, binaryVersion, importFromHost, packageVersion } from "../js_common/transpile.mjs";

// How long a launch may take (measured: 1-2 s) before it is a failure. Playwright's own
// default is 180 s, and Chromium has two launch routes: a browser killed while it
// started kept a check waiting 360 s (issue 34.3).
const LAUNCH_TIMEOUT_MS = 30_000;

/** A page as adapter.mjs uses it, whichever library drives the browser. */
class Page {
  constructor(page, kind) {
    this.page = page;
    this.kind = kind;
  }
  /** Only `origin` may be fetched: any other request is aborted inside the browser. */
  async allowOnly(origin) {
    if (this.kind === "playwright") {
      await this.page.route((url) => url.origin !== origin, (route) => route.abort("blockedbyclient"));
      return;
    }
    await this.page.setRequestInterception(true);
    this.page.on("request", (req) => (new URL(req.url()).origin === origin ? req.continue() : req.abort("blockedbyclient")));
  }
  onConsole(listener) { this.page.on("console", (msg) => listener(msg.type(), msg.text())); }
  onPageError(listener) { this.page.on("pageerror", listener); }
  onCrash(listener) { this.page.on(this.kind === "playwright" ? "crash" : "error", listener); }
  goto(url) { return this.page.goto(url); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  close() { return this.page.close(); }
}

// Chromium: no background networking (the page must reach only its own origin). It keeps
// its own sandbox: as root (which it refuses to sandbox) it is started as `nobody` by
// chromium-sandboxed; --no-sandbox only where that cannot launch.
const CHROMIUM = process.env.WASMTUI_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-quic"];
const AS_NOBODY = join(ROOT, "adapters", "browsers_jco", "chromium-sandboxed");

const chromium = {
  library: "playwright-core",
  binary: CHROMIUM,
  install: "sudo apt-get install chromium",
  version: () => binaryVersion(CHROMIUM),
  // a run's memory limit is the same for every check: the first request's caps the browser
  async launch(host, request, outerTmp) {
    const pw = await importFromHost(host, "playwright-core");
    const playwright = pw.chromium ? pw : pw.default;  // a CommonJS package
    const js = memoryFlags(request);
    const args = js.length ? [...CHROMIUM_FLAGS, `--js-flags=${js.join(" ")}`] : CHROMIUM_FLAGS;
    // chromiumSandbox: playwright's default (false) would add --no-sandbox itself.
    const launch = (executablePath, chromiumSandbox) => playwright.chromium.launch({
      executablePath, headless: true, args, chromiumSandbox, timeout: LAUNCH_TIMEOUT_MS,
      env: { ...process.env, TMPDIR: outerTmp, WASMTUI_CHROMIUM_BIN: CHROMIUM } });
    try {
      return { browser: await launch(process.getuid?.() === 0 ? AS_NOBODY : CHROMIUM, true), note: null };
    } catch (err) {
      return { browser: await launch(CHROMIUM, false),
               note: `Chromium ran without its sandbox (--no-sandbox): the sandboxed launch failed: ${String(err.message ?? err).split("\n")[0]}` };
    }
  },
  connected: (browser) => browser.isConnected(),
  onDisconnect: (browser, listener) => browser.on("disconnected", listener),
  mainMark: "--remote-debugging-pipe",  // only the browser process has it (liveness.mjs)
  newPage: async (browser) => new Page(await browser.newPage(), "playwright"),
};

// Firefox ESR: its own sandbox (seccomp-BPF and namespaces per content process) works as
// root. Preferences keep it off the network (Remote Settings, updates, telemetry), and the
// memory limit is declared on the component's memories (SpiderMonkey takes none from its
// command line; page.mjs applies js_common/memory-limit.mjs).
const FIREFOX = process.env.WASMTUI_FIREFOX || "/usr/bin/firefox-esr";
const BOUND_FIREFOX = join(ROOT, "adapters", "browsers_jco", "firefox-bound");
const FIREFOX_PREFS = {
  "services.settings.server": "http://127.0.0.1:9/",
  "app.update.enabled": false,
  "app.update.auto": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "toolkit.telemetry.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.captive-portal-service.enabled": false,
  "extensions.getAddons.cache.enabled": false,
};

const firefox = {
  library: "puppeteer-core",
  binary: FIREFOX,
  install: "sudo apt-get install firefox-esr",
  declaresMemoryLimit: true,
  version: () => binaryVersion(FIREFOX),
  async launch(host, _request, outerTmp) {
    const mod = await importFromHost(host, "puppeteer-core");
    const puppeteer = mod.launch ? mod : mod.default;
    const browser = await puppeteer.launch({
      browser: "firefox", executablePath: BOUND_FIREFOX, headless: true, extraPrefsFirefox: FIREFOX_PREFS,
      timeout: LAUNCH_TIMEOUT_MS,
      env: { ...process.env, TMPDIR: outerTmp, MOZ_CRASHREPORTER_DISABLE: "1", WASMTUI_FIREFOX_BIN: FIREFOX } });
    return { browser, note: null };
  },
  connected: (browser) => browser.connected,
  onDisconnect: (browser, listener) => browser.on("disconnected", listener),
  mainMark: "--remote-debugging-port",  // only the browser process has it (liveness.mjs)
  newPage: async (browser) => new Page(await browser.newPage(), "puppeteer"),
};

export const DRIVERS = { browsers_jco: chromium, firefox_jco: firefox };

/** The driver of a host, or why it cannot run here (its packages or its browser missing). */
export function driverOf(host) {
  const driver = DRIVERS[host];
  if (!driver) throw new Error(`no browser driver for ${host} (adapters/browsers_jco/drivers.mjs)`);
  const missing = ["@bytecodealliance/jco", driver.library].filter((p) => !packageVersion(host, p));
  if (missing.length) {
    return { missing: `${missing.join(" and ")} not installed in hosts/${host}`, install: `make -C hosts/${host} install` };
  }
  if (!existsSync(driver.binary)) return { missing: `no browser at ${driver.binary}`, install: driver.install };
  return driver;
}
