// jco's transpile in a process of its own: used once jco's translator (a component run
// in JavaScript) has trapped in the adapter's process, after which every call there would
// fail with "cannot enter component instance" (transpile.mjs). Prints one JSON line:
// {files: {name: base64}, imports, exports} or {error}.
// Usage: node transpile-child.mjs HOST COMPONENT OPTIONS-JSON
import { readFileSync } from "node:fs";
import { importFromHost } from "./transpile.mjs";

const [host, componentPath, options] = process.argv.slice(2);
let answer;
try {
  const jco = await importFromHost(host, "@bytecodealliance/jco");
  const out = await jco.transpile(readFileSync(componentPath), JSON.parse(options));
  const files = Object.fromEntries(Object.entries(out.files)
    .map(([name, data]) => [name, Buffer.from(data).toString("base64")]));
  answer = { files, imports: out.imports, exports: out.exports };
} catch (err) {
  answer = { error: String(err?.message ?? err) };
}
process.stdout.write(JSON.stringify(answer) + "\n", () => process.exit(0));
