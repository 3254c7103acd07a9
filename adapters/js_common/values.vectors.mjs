// Runs the shared value-model vectors (adapters/values/vectors.json) through the jco
// converters: every canonical value must come back unchanged from its jco form, and the
// lossless codec must keep 64-bit integers exact. Prints one line per failure; exits 1
// on any. Usage: node adapters/js_common/values.vectors.mjs HOST (a host folder with
// lossless-json installed). Run by tests/test_values.py.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, importFromHost } from "./transpile.mjs";
import { fromJco, losslessCodec, toJco } from "./values.mjs";

const json = losslessCodec(await importFromHost(process.argv[2], "lossless-json"));
const vectors = json.parse(readFileSync(join(ROOT, "adapters", "values", "vectors.json"), "utf8"));
let failures = 0;
for (const { type, value } of vectors.roundtrip) {
  const want = json.stringify(value);
  let got;
  try {
    got = json.stringify(fromJco(type, toJco(type, value)));
  } catch (err) {
    got = `threw ${err}`;
  }
  if (got !== want) {
    failures++;
    console.log(`${json.stringify(type)}: ${want} came back as ${got}`);
  }
}
console.log(`${vectors.roundtrip.length - failures}/${vectors.roundtrip.length} round trips`);
process.exit(failures ? 1 : 0);
