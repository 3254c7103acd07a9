// How an adapter names a failed check's outcome (adapters/PROTOCOL.md, "Outcomes"), for
// the JavaScript adapters (Node and the browser page): wasmtui/adapterkit/outcomes.py's rule,
// held to the same answers by adapters/outcomes/vectors.json.

// How engines word a trap: wasmtime ("wasm trap", "error while executing at wasm
// backtrace"), V8 and JavaScriptCore ("RuntimeError: unreachable", "call stack size
// exceeded"), SpiderMonkey ("RuntimeError: unreachable executed", "too much recursion").
const TRAP_MARKERS = /wasm backtrace|wasm trap|error while executing|RuntimeError|call stack size exceeded|too much recursion|wasm error:/i;

/**
 * An error as text for the outcome rule and the report: its stack, with the message in
 * front where the stack lacks it (SpiderMonkey's and JavaScriptCore's stacks hold only
 * frames).
 */
export function errorText(err) {
  const message = String(err);
  const stack = err?.stack ? String(err.stack) : "";
  if (!stack) return message;
  return stack.includes(message) ? stack : `${message}\n${stack}`;
}

/** `trapped`, `refused` or `harness-error`, from the host's own error text only. */
export function outcomeOf(error, started, signal = null) {
  if (TRAP_MARKERS.test(error)) return started ? "trapped" : "harness-error";
  if (signal !== null && signal !== undefined) return "harness-error";
  return "refused";
}
