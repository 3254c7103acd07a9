// The scenario step loop of the JavaScript adapters (adapters/PROTOCOL.md, "Scenarios"),
// held to adapters/envelope/vectors.json. No Node module here: it runs in the browser
// page too (browsers_jco), as guest.mjs does.

/**
 * A scenario's steps on one instance, in order, until one does not end ok (a trapped
 * instance cannot be entered again): `call(step, handles)` answers a call step (and binds
 * what it returns into `handles`, a Map by name); `drop(handle)` a drop of a bound
 * handle; a drop of a name nothing bound is the adapter's error. The result: the last
 * step's outcome (and error), and every step's answer (adapters/envelope/vectors.json).
 */
export async function runSteps(steps, call, drop) {
  const handles = new Map();
  const done = [];
  for (const [i, step] of steps.entries()) {
    let answer;
    if (step.drop === undefined) answer = await call(step, handles);
    else if (handles.has(step.drop)) answer = await drop(handles.get(step.drop));
    else answer = { outcome: "harness-error", error: `no handle is bound as ${step.drop}` };
    done.push(answer);
    // A trap (or a call the host refused) goes on to a next step that expects one (a
    // trapped instance must refuse to be entered again); anything else ends the scenario.
    const failedCall = answer.outcome === "trapped" || answer.outcome === "refused";
    const afterTrap = failedCall && steps[i + 1]?.expect?.trap === true;
    if (answer.outcome !== "ok" && !afterTrap) break;
  }
  const last = done.at(-1) ?? { outcome: "ok" };
  return { outcome: last.outcome, steps: done, ...(last.error !== undefined ? { error: last.error } : {}) };
}
