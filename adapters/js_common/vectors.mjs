// Runs the shared vectors through the JavaScript adapters' rules: the value model
// (adapters/values/vectors.json: every canonical value must come back unchanged from its
// jco form, 64-bit integers exact through the lossless codec) and the outcome rule
// (adapters/outcomes/vectors.json), and the builtin host functions
// (adapters/builtins/vectors.json). Prints one line per failure; exits 1 on any.
// Usage: node adapters/js_common/vectors.mjs HOST (a host folder with lossless-json
// installed). Run by tests/test_values.py (test_js_vectors).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, importFromHost } from "./transpile.mjs";
import { outcomeOf } from "./outcomes.mjs";
import { BUILTIN_HOST_FUNCTIONS } from "./guest.mjs";
import { fromJco, losslessCodec, settle, toJco } from "./values.mjs";

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
// Handles: each named handle goes in as an object of its own and must come back as that
// very object, named by the step's bind and its path in the value.
const namesIn = (v, out = []) => {
  if (v && typeof v === "object" && typeof v.handle === "string" && v.resource !== undefined) out.push(v.handle);
  else if (v && typeof v === "object") Object.values(v).forEach((e) => namesIn(e, out));
  return out;
};
for (const { type, bind, value } of vectors.handles) {
  const bound = new Map(namesIn(value).map((n) => [n, { token: n }]));
  const back = new Map();
  let got;
  try {
    got = json.stringify(fromJco(type, toJco(type, value, bound), back, bind));
  } catch (err) {
    got = `threw ${err}`;
  }
  const same = back.size === bound.size && [...bound].every(([n, o]) => back.get(n) === o);
  if (got !== json.stringify(value) || !same) {
    failures++;
    console.log(`${json.stringify(type)} bound as ${bind}: ${json.stringify(value)} came back as ${got} (${[...back.keys()]})`);
  }
}
console.log(`${vectors.handles.length} handle cases`);
// Streams and futures as jco hands them over: a stream whose read({count}) gives each
// chunk (typed arrays for numeric items), then {done: true}; a future is a thenable.
const TYPED = { u8: Uint8Array, u64: BigUint64Array };
const fakeStream = (elem, chunks) => {
  const left = [...chunks];
  return { read: async () => (left.length
    ? { value: TYPED[elem] ? TYPED[elem].from(left.shift(), (e) => (elem === "u64" ? BigInt(e) : e)) : left.shift(), done: false }
    : { value: undefined, done: true }) };
};
for (const { type, chunks, value } of vectors.streams) {
  const k = Object.keys(type)[0];
  const raw = k === "stream" ? fakeStream(type.stream, chunks) : { then: (ok) => ok(chunks[0]) };
  let got;
  try {
    got = json.stringify(fromJco(type, await settle(type, raw)));
  } catch (err) {
    got = `threw ${err}`;
  }
  if (got !== json.stringify(value)) {
    failures++;
    console.log(`${json.stringify(type)}: ${json.stringify(value)} came back as ${got}`);
  }
}
console.log(`${vectors.streams.length} stream and future cases`);
const { cases } = JSON.parse(readFileSync(join(ROOT, "adapters", "outcomes", "vectors.json"), "utf8"));
for (const c of cases) {
  const got = outcomeOf(c.error, c.started, c.signal);
  if (got !== c.outcome) {
    failures++;
    console.log(`outcome of ${JSON.stringify(c)}: ${got}, not ${c.outcome}`);
  }
}
console.log(`${cases.length} outcome cases`);
const builtins = JSON.parse(readFileSync(join(ROOT, "adapters", "builtins", "vectors.json"), "utf8")).cases;
for (const c of builtins) {
  const got = BUILTIN_HOST_FUNCTIONS[c.builtin](c.input);
  if (got !== c.output) {
    failures++;
    console.log(`${c.builtin}(${JSON.stringify(c.input)}): ${JSON.stringify(got)}, not ${JSON.stringify(c.output)}`);
  }
}
console.log(`${builtins.length} builtin host function cases`);
process.exit(failures ? 1 : 0);
