// The adapter side of adapters/PROTOCOL.md for adapters written in JavaScript (Node).
// An adapter provides hello() and run(request, out); serve() does the rest: one JSON
// event per line on stdout, requests from stdin, an adapter bug becomes a
// `harness-error` result instead of a crash. Mirrors wasmtui/adapterkit/protocol.py.
import { createInterface } from "node:readline";
import { StringDecoder } from "node:string_decoder";
import { errorText } from "./outcomes.mjs";
import { importFromHost } from "./transpile.mjs";
import { losslessCodec } from "./values.mjs";

export const PROTOCOL = 1;
const MAX_LINE = 16 * 1024;
export const MAX_CAPTURE = 1024 * 1024;
const MAX_TAIL = 64 * 1024;
const CUT = " [line cut at 16 KiB]";

// Requests and events are JSON with exact 64-bit integers: lossless-json from the
// host's node_modules once serve() has loaded it (plain JSON only before a hello that
// says the host is missing).
export let json = { parse: JSON.parse, stringify: JSON.stringify };

export async function useLosslessJson(host) {
  json = losslessCodec(await importFromHost(host, "lossless-json"));
  return json;
}

/**
 * A line as streamed: at most MAX_LINE bytes of UTF-8; a longer one is cut on a character
 * boundary and marked with CUT (adapters/output/vectors.json), as wasmtui.adapterkit's cut_line.
 */
export function cutLine(text) {
  if (text.length <= MAX_LINE / 4 || Buffer.byteLength(text) <= MAX_LINE) return text;
  // a StringDecoder keeps a character cut in two to itself: only whole ones come out
  return new StringDecoder("utf8").write(Buffer.from(text).subarray(0, MAX_LINE - CUT.length)) + CUT;
}

export function emit(event) {
  process.stdout.write(json.stringify(event) + "\n");
}

/**
 * One request's output, as wasmtui/adapterkit/protocol.py's Output: guest bytes kept exactly
 * as written (the first MiB per stream, flagged past it), streamed as complete lines
 * decoded incrementally (a character split across two chunks arrives whole), each line
 * cut at 16 KiB, and a line that never ends costs at most 16 KiB of memory.
 */
export class Output {
  constructor(id) {
    this.id = id;
    this.raw = { stdout: [], stderr: [] };
    this.written = { stdout: 0, stderr: 0 };  // bytes in all
    this.tails = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    this.decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
    this.partial = { stdout: "", stderr: "" };
    this.cutting = { stdout: false, stderr: false };
  }
  /** Stream lines as one event (a flood costs one event per chunk, not per line). */
  lines(stream, texts) {
    if (texts.length) emit({ id: this.id, event: "output", stream, lines: texts.map(cutLine) });
  }
  /** A raw chunk (Buffer or string): kept, split into lines; returns the lines sent. */
  write(stream, chunk) {
    let data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const room = MAX_CAPTURE - this.written[stream];
    if (room > 0) this.raw[stream].push(data.subarray(0, room));
    this.written[stream] += data.length;
    this.tails[stream] = data.length >= MAX_TAIL
      ? Buffer.from(data.subarray(-MAX_TAIL))
      : Buffer.concat([this.tails[stream], data]).subarray(-MAX_TAIL);
    if (this.cutting[stream]) {  // inside a line already cut: skip bytes up to its end
      const nl = data.indexOf(10);
      if (nl < 0) return [];
      data = data.subarray(nl);
      this.decoders[stream] = new StringDecoder("utf8");
    }
    const parts = (this.partial[stream] + this.decoders[stream].write(data)).split("\n");
    let rest = parts.pop();
    const sent = [];
    for (const line of parts) {
      if (!this.cutting[stream]) sent.push(line);
      this.cutting[stream] = false;
    }
    if (rest.length > MAX_LINE / 4 && Buffer.byteLength(rest) > MAX_LINE) {
      sent.push(cutLine(rest));  // a line without end: its start, the rest dropped
      this.cutting[stream] = true;
      rest = "";
    }
    this.partial[stream] = rest;
    this.lines(stream, sent);
    return sent;
  }
  flush() {
    for (const stream of ["stdout", "stderr"]) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      this.partial[stream] = "";
      this.decoders[stream] = new StringDecoder("utf8");
      if (rest && !this.cutting[stream]) this.lines(stream, [rest]);
    }
  }
  /** What the guest wrote on `stream`, byte-exact (up to the first MiB). */
  text(stream) {
    return Buffer.concat(this.raw[stream]).toString("utf8");
  }
  /** The end of `stream` (where a host prints its error after any guest flood). */
  tail(stream) {
    return this.tails[stream].toString("utf8");
  }
  /** Result fields for a stream: its text, and `<stream>_truncated` past 1 MiB. */
  captured(stream) {
    return { [stream]: this.text(stream), ...(this.written[stream] > MAX_CAPTURE ? { [`${stream}_truncated`]: true } : {}) };
  }
  note(text) {
    emit({ id: this.id, event: "note", text });
  }
  /** Guest code starts now: its failures can be the guest's, and its timeout runs. */
  running() {
    emit({ id: this.id, event: "running" });
  }
}

async function handle(adapter, request) {
  const id = String(request.id ?? "?");
  const out = new Output(id);
  let result;
  try {
    emit({ id, event: "started", command: adapter.command(request) });
    result = await adapter.run(request, out);
  } catch (err) {
    result = { outcome: "harness-error", error: errorText(err) };
  }
  out.flush();
  emit({ id, event: "result", ...result });
}

/** A shell-quoted word. */
export const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/**
 * The host an adapter serves: its first argument, for an adapter several hosts share
 * (host.toml `adapter`), else `fallback`; and the arguments that name it again in a
 * reproduce command (onceCommand).
 */
export function servedHost(fallback) {
  const arg = process.argv[2];
  const host = arg && arg !== "--once" ? arg : fallback;
  return { host, args: host === fallback ? [] : [host] };
}

/**
 * `node ADAPTER [ARG...] --once 'REQUEST'`: the reproduction of an in-process check (ARG:
 * what host.toml gives the adapter, e.g. the host of an adapter several hosts share).
 */
export function onceCommand(adapterPath, request, adapterArgs = []) {
  const { id: _id, ...rest } = request;
  return [process.execPath, adapterPath, ...adapterArgs, "--once", json.stringify(rest)].map(quote).join(" ");
}

export async function serve(adapter) {
  const hello = { event: "hello", protocol: PROTOCOL, host: adapter.host, ...(await adapter.hello()) };
  if (hello.available) await useLosslessJson(adapter.host);
  emit(hello);
  const once = process.argv.indexOf("--once");
  if (once > 0) {
    let request;
    try {
      request = json.parse(process.argv[once + 1]);
    } catch (err) {
      emit({ id: "once", event: "result", outcome: "harness-error", error: `bad request: ${err}` });
    }
    if (request && hello.available) await handle(adapter, { ...request, id: "once" });
    await adapter.close?.();
    return;
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const raw of rl) {
    if (!raw.trim()) continue;
    let request;
    try {
      request = json.parse(raw);
    } catch (err) {
      emit({ id: "?", event: "result", outcome: "harness-error", error: `bad request line: ${err}` });
      continue;
    }
    await handle(adapter, request);
  }
  await adapter.close?.();
}
