// wasmtui's --memory-limit on an engine that takes no limit from its command line (Bun's
// JavaScriptCore, Firefox's SpiderMonkey; V8 takes --wasm-max-mem-pages): each memory a
// core module defines gets a declared maximum of that many pages, so `memory.grow` past it
// fails inside the guest, exactly as an engine's own limit makes it fail. Memories the
// module imports, 64-bit memories and every other section are left as they are.

const MEMORY_SECTION = 5;
const PAGE = 65536;

function readLeb(bytes, pos) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const byte = bytes[pos++];
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (!(byte & 0x80)) return [value, pos];
  }
}

function leb(value) {
  const out = [];
  let v = BigInt(value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

/** The memory section's entries with their maximum at most `pages` (never below the minimum). */
function limitedSection(body, pages) {
  let [count, pos] = readLeb(body, 0);
  const out = [...leb(count)];
  for (let i = 0n; i < count; i++) {
    const flags = body[pos++];
    let min, max = null;
    [min, pos] = readLeb(body, pos);
    if (flags & 0x01) [max, pos] = readLeb(body, pos);
    if (flags & 0x04) {  // memory64: as it is
      out.push(flags, ...leb(min), ...(max === null ? [] : leb(max)));
      continue;
    }
    let limit = BigInt(pages);
    if (limit < min) limit = min;
    if (max !== null && max < limit) limit = max;
    out.push(flags | 0x01, ...leb(min), ...leb(limit));
  }
  return out;
}

/** A core module's bytes with every memory it defines capped at `limitBytes`. */
export function limitMemories(bytes, limitBytes) {
  const input = new Uint8Array(bytes);
  if (!limitBytes || input[0] !== 0x00 || input[1] !== 0x61) return input;  // not a core module
  const pages = Math.max(1, Math.floor(Number(limitBytes) / PAGE));
  const chunks = [input.subarray(0, 8)];
  let pos = 8;
  while (pos < input.length) {
    const id = input[pos];
    const [size, start] = readLeb(input, pos + 1);
    const end = start + Number(size);
    if (id === MEMORY_SECTION) {
      const body = limitedSection(input.subarray(start, end), pages);
      chunks.push(Uint8Array.from([id, ...leb(body.length), ...body]));
    } else {
      chunks.push(input.subarray(pos, end));
    }
    pos = end;
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
