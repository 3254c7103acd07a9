// node open-report.mjs PAGE.html CELL-LABEL...: opens wasmtui's HTML report in the real
// Chromium (playwright-core from hosts/browsers_jco), clicks each cell by its label and
// prints, as JSON, what the detail pane then shows, every request the page made, and
// any script error, and the conformance view's text. Used by tests/test_html_report.py
// and tests/test_conformance.py.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "hosts", "browsers_jco", "package.json"));
const { chromium } = require("playwright-core");
const [page_, screenshot, ...labels] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.WASMTUI_CHROMIUM || "/usr/bin/chromium",
                                        args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("file://" + page_);
  const cells = {};
  for (const label of labels) {
    await page.getByRole("button", { name: label, exact: true }).click();
    const detail = page.locator("#detail");
    cells[label] = { text: await detail.innerText(),
                     marks: await detail.locator("mark").allInnerTexts(),
                     commands: await detail.locator("pre.cmd").allInnerTexts() };
  }
  // keyboard: from the first cell, ArrowRight then Enter opens the next column's cell
  await page.locator("#matrix tbody button").first().focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const keyboard = await page.locator("#detail h2").innerText();
  await page.check("#f-problems");
  const problemRows = await page.locator("#matrix tbody tr").count();
  if (screenshot !== "-") {  // the problems only, and the first cell's checks
    await page.setViewportSize({ width: 1500, height: 900 });
    await page.uncheck("#f-problems");
    await page.getByRole("button", { name: labels[0], exact: true }).click();
    await page.check("#f-problems");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  // a run over the suites: the conformance view (its text, collapsed or not)
  const conformance = { hidden: await page.locator("#conformance-view").isHidden(),
                        text: await page.locator("#conformance").textContent() };
  console.log(JSON.stringify({ cells, requests, errors, keyboard, problemRows, conformance }));
} finally {
  await browser.close();
}
