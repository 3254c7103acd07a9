// Runs the shared output vectors (adapters/output/vectors.json) through js_common's
// Output, as wasmtui.adapterkit's is run by tests/unit/test_output.py; prints one JSON line per
// case: the lines streamed, the captured text, whether it was truncated. Run by
// tests/test_values.py (test_js_output_vectors), which compares them with the vectors.
import { readFileSync } from "node:fs";
import { Output } from "./protocol.mjs";

const vectors = JSON.parse(readFileSync(new URL("../output/vectors.json", import.meta.url), "utf8"));
const expand = (item) => typeof item === "string" ? Buffer.from(item)
  : item.hex !== undefined ? Buffer.from(item.hex, "hex")
  : Buffer.from(item.text.repeat(item.repeat) + (item.suffix ?? ""));
const write = process.stdout.write.bind(process.stdout);
const results = [];
for (const c of vectors.cases) {
  const events = [];
  process.stdout.write = (text) => { events.push(JSON.parse(text)); return true; };
  const out = new Output("1");
  for (const chunk of c.chunks) out.write("stdout", expand(chunk));
  out.flush();
  process.stdout.write = write;
  const captured = out.captured("stdout");
  results.push({ name: c.name, lines: events.flatMap((e) => e.lines), captured: captured.stdout,
                 truncated: captured.stdout_truncated ?? false });
}
for (const r of results) write(JSON.stringify(r) + "\n");
