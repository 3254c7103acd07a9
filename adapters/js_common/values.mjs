// The value model (adapters/PROTOCOL.md, "Values") <-> jco's JavaScript values, typed
// by the function's type tree (never guessed from the JS object). Runs in Node and in
// the browser alike: no imports. Mirrors src/wasmtui/values.py; the shared vectors in
// adapters/values/vectors.json hold both to the same answers.
//
// jco's conventions (its "WIT type representations" page): s64/u64 are BigInt; records
// are objects with camelCase keys; variants {tag, val}; enums the case name; flags an
// object {camelName: bool}; option<T> is T or undefined, except when T is itself an
// option: then {tag: "some", val} / {tag: "none"}; result<T, E> {tag: "ok"|"err", val},
// except a function's top-level result, which returns the ok payload and throws a
// ComponentError whose `payload` is the err payload; list<u8> and the other numeric lists
// are typed arrays. A resource handle is an instance of the resource's class: a scenario's
// `handles` Map holds it under the name its step bound it to (handleName).

/** jco's JS names: kebab-case WIT names become camelCase. */
export const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const kindOf = (t) => (typeof t === "string" ? t : Object.keys(t)[0]);
const TYPED_ARRAYS = {
  u8: Uint8Array, s8: Int8Array, u16: Uint16Array, s16: Int16Array, u32: Uint32Array,
  s32: Int32Array, u64: BigUint64Array, s64: BigInt64Array, f32: Float32Array, f64: Float64Array,
};
const SPECIAL = { nan: NaN, inf: Infinity, "-inf": -Infinity };

/** option<T> whose `some` is written {"some": v}: T is an option, or a result with `_`. */
export function nullable(t) {
  const k = kindOf(t);
  if (k === "option") return true;
  return k === "result" && (t.result.ok == null || t.result.err == null);
}

/** An f32 as the shortest decimal that rounds back to it (0.1, not 0.10000000149011612). */
export function shortestF32(x) {
  const target = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return target;
}

function floatJson(x) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return x;
}

/** The name a returned handle gets: the step's bind, then its path in the result. */
export const handleName = (bind, path) => bind + path;

/**
 * Canonical JSON (64-bit integers may arrive as BigInt) -> the value jco expects; a
 * handle {"handle": NAME} is the object `handles` binds to NAME.
 */
export function toJco(t, v, handles) {
  const k = kindOf(t);
  const to = (et, e) => toJco(et, e, handles);
  switch (k) {
    case "own": case "borrow": {
      if (!handles?.has(v.handle)) throw new Error(`no handle is bound as ${JSON.stringify(v.handle)}`);
      return handles.get(v.handle);
    }
    case "map": return new Map(v.map(([key, value]) => [to(t.map[0], key), to(t.map[1], value)]));
    // jco lowers any iterable as a stream it reads, and a promise as a future
    case "stream": return v.map((e) => (t.stream == null ? undefined : to(t.stream, e)));
    case "future": return Promise.resolve(t.future == null ? undefined : to(t.future, v));
    case "s64": case "u64": return BigInt(v);
    case "s8": case "u8": case "s16": case "u16": case "s32": case "u32": return Number(v);
    case "f32": case "f64": return typeof v === "string" ? SPECIAL[v] : Number(v);
    case "list": {
      const elem = t.list;
      const Typed = typeof elem === "string" ? TYPED_ARRAYS[elem] : undefined;
      const items = v.map((e) => to(elem, e));
      return Typed ? Typed.from(items) : items;
    }
    case "tuple": return t.tuple.map((et, i) => to(et, v[i]));
    case "record": return Object.fromEntries(t.record.map(([n, ft]) => [camel(n), to(ft, v[n])]));
    case "variant": {
      const [tag, payload] = Object.entries(v)[0];
      const ct = t.variant.find(([n]) => n === tag)[1];
      return ct == null ? { tag } : { tag, val: to(ct, payload) };
    }
    case "flags": return Object.fromEntries(t.flags.map((f) => [camel(f), v.includes(f)]));
    case "option": {
      if (v === null) return kindOf(t.option) === "option" ? { tag: "none" } : undefined;
      const inner = to(t.option, nullable(t.option) ? v.some : v);
      return kindOf(t.option) === "option" ? { tag: "some", val: inner } : inner;
    }
    case "result": {
      const [tag, payload] = Object.entries(v)[0];
      const side = t.result[tag];
      return side == null ? { tag } : { tag, val: to(side, payload) };
    }
    default: return v; // bool, char, string, enum
  }
}

/**
 * A jco value -> canonical JSON (64-bit integers stay BigInt: write with lossless JSON).
 * A handle is bound in `handles` under its step's `bind` and its path in the result,
 * spelled as value paths are (`c[1]`, `c.ok`, `c.label`).
 */
export function fromJco(t, v, handles, bind = "", path = "") {
  const k = kindOf(t);
  const from = (et, e, p) => fromJco(et, e, handles, bind, p);
  switch (k) {
    case "s64": case "u64": return BigInt(v);
    case "f32": return floatJson(shortestF32(v));
    case "f64": return floatJson(v);
    case "stream": return Array.from(v, (e, i) => (t.stream == null ? null : from(t.stream, e, `${path}[${i}]`)));
    // a Map, as [key, value] pairs in its own order (the core sorts them: values.py _map)
    case "map": return Array.from(v, ([key, value], i) => [from(t.map[0], key, `${path}[${i}][0]`), from(t.map[1], value, `${path}[${i}][1]`)]);
    case "future": return t.future == null ? null : from(t.future, v, path);
    case "own": case "borrow": {
      if (!handles) throw new Error("a handle came back outside a scenario");
      const name = handleName(bind, path);
      handles.set(name, v);
      return { handle: name, resource: t[k] };
    }
    case "list": return Array.from(v, (e, i) => from(t.list, e, `${path}[${i}]`));
    case "tuple": return t.tuple.map((et, i) => from(et, v[i], `${path}[${i}]`));
    case "record": return Object.fromEntries(t.record.map(([n, ft]) => [n, from(ft, v[camel(n)], `${path}.${n}`)]));
    case "variant": {
      const ct = t.variant.find(([n]) => n === v.tag)[1];
      return { [v.tag]: ct == null ? null : from(ct, v.val, `${path}.${v.tag}`) };
    }
    case "flags": return t.flags.filter((f) => v[camel(f)]);
    case "option": {
      const nested = kindOf(t.option) === "option";
      if (nested ? v.tag === "none" : v === undefined || v === null) return null;
      const some = nullable(t.option);
      const inner = from(t.option, nested ? v.val : v, some ? `${path}.some` : path);
      return some ? { some: inner } : inner;
    }
    case "result": {
      const side = t.result[v.tag];
      return { [v.tag]: side == null ? null : from(side, v.val, `${path}.${v.tag}`) };
    }
    default: return v; // bool, small integers, char, string, enum
  }
}

/** Whether a type tree holds one of `kinds` anywhere (values.py `contains`). */
export function contains(t, kinds) {
  if (t == null || typeof t === "string") return false;
  const [k, body] = Object.entries(t)[0];
  if (kinds.includes(k)) return true;
  switch (k) {
    case "list": case "option": case "stream": case "future": return contains(body, kinds);
    case "tuple": case "map": return body.some((e) => contains(e, kinds));
    case "record": case "variant": return body.some(([, e]) => contains(e, kinds));
    case "result": return contains(body.ok, kinds) || contains(body.err, kinds);
    default: return false;
  }
}

// A stream is read in chunks of this many items; at most STREAM_CAP items are kept (the
// rest are read and dropped, and `cut.items` counts them), so a stream that never ends
// runs into the check's timeout instead of filling memory.
const STREAM_CHUNK = 256;
export const STREAM_CAP = 65536;

/**
 * A jco value with every stream in it read to its end (an Array of its items) and every
 * future awaited (its value), typed by `t`: what fromJco then converts. jco's streams
 * are read with read({count}), which gives a typed array (numeric items) or an Array.
 */
export async function settle(t, v, cut = { items: 0 }) {
  if (!contains(t, ["stream", "future"]) || v == null) return v;
  const k = kindOf(t);
  const each = async (types, values) => Promise.all(values.map((e, i) => settle(types[i], e, cut)));
  switch (k) {
    case "stream": {
      const items = [];
      for (;;) {
        const { value, done } = await v.read({ count: STREAM_CHUNK });
        if (done) break;
        for (const e of value ?? []) {
          if (items.length < STREAM_CAP) items.push(e);
          else cut.items++;
        }
      }
      return each(items.map(() => t.stream), items);
    }
    case "future": return settle(t.future, await v, cut);
    case "list": return each(Array.from(v, () => t.list), Array.from(v));
    case "tuple": return each(t.tuple, v);
    case "record": {
      const out = { ...v };
      for (const [n, ft] of t.record) out[camel(n)] = await settle(ft, v[camel(n)], cut);
      return out;
    }
    case "option": {
      if (kindOf(t.option) === "option") return v.tag === "none" ? v : { tag: "some", val: await settle(t.option, v.val, cut) };
      return settle(t.option, v, cut);
    }
    case "variant": case "result": {
      const ct = k === "variant" ? t.variant.find(([n]) => n === v.tag)[1] : t.result[v.tag];
      return ct == null ? v : { tag: v.tag, val: await settle(ct, v.val, cut) };
    }
    default: return v;
  }
}

/**
 * A call's returned value with its streams read and futures awaited (settle). jco
 * returns a top-level result's ok payload bare, so that is what is settled then.
 */
export async function settleReturn(sig, value, cut) {
  const rt = sig.result;
  if (rt == null) return value;
  const t = kindOf(rt) === "result" ? rt.result.ok : rt;
  return t == null ? value : settle(t, value, cut);
}

/** A call's canonical arguments as jco wants them. */
export const toJcoArgs = (sig, args, handles) => sig.params.map(([, t], i) => toJco(t, args[i], handles));

/**
 * The canonical result of a call that returned `value` or threw `thrown`. A top-level
 * result's err comes back from jco as a thrown ComponentError carrying `payload`: that
 * is the guest's answer {"err": payload}. Returns undefined when `thrown` is not that
 * (a trap, for the caller to report).
 */
export function resultOf(sig, value, thrown, handles, bind = "") {
  const rt = sig.result;
  const topResult = rt != null && kindOf(rt) === "result";
  const from = (v) => fromJco(rt, v, handles, bind);
  if (thrown !== undefined) {
    if (!topResult || thrown === null || typeof thrown !== "object" || !("payload" in thrown)) return undefined;
    return from(rt.result.err == null ? { tag: "err" } : { tag: "err", val: thrown.payload });
  }
  if (rt == null) return null;
  if (topResult) return from(rt.result.ok == null ? { tag: "ok" } : { tag: "ok", val: value });
  return from(value);
}

/**
 * The protocol's JSON codec on lossless-json (the module is passed in: Node loads it
 * from a host's node_modules, the browser page through its import map). Integers past
 * 2^53 parse as BigInt and BigInt writes as digits; every other number is a Number.
 */
export function losslessCodec(module) {
  const lj = module.stringify ? module : module.default;  // ESM, or the UMD build from require.resolve
  const number = (s) => (lj.isSafeNumber(s) || !lj.isInteger(s) ? Number(s) : BigInt(s));
  return { parse: (text) => lj.parse(text, null, number), stringify: (v) => lj.stringify(v) };
}
