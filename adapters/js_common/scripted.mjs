// The JavaScript envelope (protocol.mjs, steps.mjs) run on adapters/envelope/vectors.json:
// an adapter whose host work is a script the request carries (the vectors' `about` says
// how), so tests/test_envelope.py holds every adapter language's framing to one set of
// cases. Its JSON is plugin_node's (lossless-json from that host's node_modules).
import { serve } from "./protocol.mjs";
import { runSteps } from "./steps.mjs";

function steps(list, answers) {
  const call = (step, handles) => {
    const answer = answers[list.indexOf(step)];
    if (answer.outcome === "ok" && step.bind) handles.set(step.bind, step.bind);
    return answer;
  };
  return runSteps(list, call, () => ({ outcome: "ok", value: null }));
}

await serve({
  host: "plugin_node",
  hello: async () => ({ available: true, version: "scripted", ...JSON.parse(process.env.WASMTUI_SCRIPTED_HELLO || "{}") }),
  command: () => "scripted",
  async run(request, out) {
    for (const [action, ...args] of request.script ?? []) {
      if (action === "out") out.write(args[0], args[1]);
      else if (action === "note") out.note(args[0]);
      else if (action === "running") out.running();
      else if (action === "throw") throw new Error(args[0]);
      else if (action === "result") return args[0];
      else if (action === "steps") return steps(request.check.steps, args[0]);
    }
    return { outcome: "harness-error", error: "the script ended without a result" };
  },
});
