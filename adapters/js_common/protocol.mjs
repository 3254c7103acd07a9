// The adapter side of adapters/PROTOCOL.md for adapters written in JavaScript (Node).
// An adapter provides hello() and run(request, out); serve() does the rest: one JSON
// event per line on stdout, requests from stdin, an adapter bug becomes a
// `harness-error` result instead of a crash. Mirrors python_common/protocol.py.
import { createInterface } from "node:readline";

export const PROTOCOL = 1;
const MAX_LINE = 16 * 1024;
const MAX_CAPTURE = 1024 * 1024;

export function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

/** One request's output: streams lines as events, keeps the first MiB per stream. */
export class Output {
  constructor(id) {
    this.id = id;
    this.captured = { stdout: [], stderr: [] };
    this.sizes = { stdout: 0, stderr: 0 };
    this.partial = { stdout: "", stderr: "" };
  }
  lines(stream, texts) {
    if (!texts.length) return;
    for (const t of texts) {
      if (this.sizes[stream] >= MAX_CAPTURE) break;
      this.captured[stream].push(t);
      this.sizes[stream] += t.length + 1;
    }
    emit({ id: this.id, event: "output", stream, lines: texts.map((t) => t.slice(0, MAX_LINE)) });
  }
  /** Raw chunks: split into lines, keep the partial last one; returns complete lines. */
  write(stream, chunk) {
    const parts = (this.partial[stream] + chunk.toString()).split("\n");
    this.partial[stream] = parts.pop();
    this.lines(stream, parts);
    return parts;
  }
  flush() {
    for (const stream of ["stdout", "stderr"]) {
      const rest = this.partial[stream];
      this.partial[stream] = "";
      if (rest) this.lines(stream, [rest]);
    }
  }
  text(stream) {
    const l = this.captured[stream];
    return l.length ? l.join("\n") + "\n" : "";
  }
  note(text) {
    emit({ id: this.id, event: "note", text });
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
    result = { outcome: "harness-error", error: String(err?.stack ?? err) };
  }
  out.flush();
  emit({ id, event: "result", ...result });
}

/** A shell-quoted word. */
export const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** `node ADAPTER --once 'REQUEST'`: the reproduction of an in-process check. */
export function onceCommand(adapterPath, request) {
  const { id: _id, ...rest } = request;
  return [process.execPath, adapterPath, "--once", JSON.stringify(rest)].map(quote).join(" ");
}

export async function serve(adapter) {
  const hello = { event: "hello", protocol: PROTOCOL, host: adapter.host, ...(await adapter.hello()) };
  emit(hello);
  if (process.argv[2] === "--once") {
    if (hello.available) await handle(adapter, { id: "once", ...JSON.parse(process.argv[3]) });
    await adapter.close?.();
    return;
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const raw of rl) {
    if (!raw.trim()) continue;
    let request;
    try {
      request = JSON.parse(raw);
    } catch (err) {
      emit({ id: "?", event: "result", outcome: "harness-error", error: `bad request line: ${err}` });
      continue;
    }
    await handle(adapter, request);
  }
  await adapter.close?.();
}
