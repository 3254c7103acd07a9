"""From guests, their inspected worlds and the hosts' declared capabilities to cells.

A check that cannot apply is `n/a` with the reason in words, computed here and nowhere
else; a host that is not installed makes its checks `unavailable`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from . import expectations, sandbox, values
from .decide import Facts, decide, settled
from .diagnose import diagnose, workaround_for
from .errors import UsageError
from .manifest import ENGINE_FEATURES
from .model import (
    Cell,
    Check,
    CheckKind,
    CheckRun,
    ComponentInfo,
    Guest,
    Host,
    HostStatus,
    KnownFailure,
    Planned,
    Step,
    wasi_release,
)
from .paths import tool
from .verdict import Diagnosis, Verdict

CLI_RUN = "wasi:cli/run"
WASI_VERSIONS = ("0.2", "0.3")  # the WASI releases of component interfaces (host.toml `wasi`)
# How the component model names a resource's functions ([method]x.get-a...).
RESOURCE_FUNCTION = re.compile(r"\[(constructor|method|static)\]")
HTTP_HANDLER = "wasi:http/incoming-handler"  # WASI 0.2
HTTP_HANDLER_03 = "wasi:http/handler"  # WASI 0.3 (wasi:http/service)
WASI_03_LINK = "https://github.com/WebAssembly/WASI/tree/main/proposals"
# Manifest keys (guest.toml) -> result fields (adapters/PROTOCOL.md).
EXPECT_FIELDS = {"value": "value", "stdout": "stdout", "exit-code": "exit_code",
                 "status": "status", "body": "body"}
# The request's keys the plan resolves, in the order PROTOCOL.md's examples write them
# (after the manifest's own; a resolved key replaces the manifest's in place).
RESOLVED_KEYS = ("run_exports", "wasi", "function", "signature", "args", "env", "workaround",
                 "steps", "host_function_types", "engine_features", "load_only")


class Settled(Exception):
    """The plan's finding that a check will not run on this host: the facts its verdict
    is decided from (decide.settled). Every rule of the plan says so by raising it, and
    plan_check catches it in one place."""

    def __init__(self, facts: Facts) -> None:
        super().__init__(facts.why)
        self.facts = facts


def settle(verdict: Verdict, why: str, **facts: Any) -> NoReturn:
    raise Settled(settled(verdict, why, **facts))


def expected_of(check: Check) -> dict[str, Any]:
    """The manifest's expectations under the result's field names (`trap` included); a
    scenario's, step by step, each with its call."""
    if check.steps:
        return {"steps": [{"step": s.label(), **({"where": s.where} if s.where else {}),
                           **s.expect} for s in check.steps]}
    return {EXPECT_FIELDS.get(k, k): v for k, v in check.expect.items()}


@dataclass
class _Draft:
    """A check's plan while the rules fill it in: what they resolved of its request (the
    keys of RESOLVED_KEYS), its typing, its grants (the request's are these) and notes;
    frozen into a Planned."""

    resolved: dict[str, Any] = field(default_factory=dict)
    typing: Any = None
    grants: sandbox.Grants = field(default_factory=sandbox.Grants)
    notes: list[str] = field(default_factory=list)

    def request(self, check: Check) -> dict[str, Any]:
        """The check as adapters/PROTOCOL.md sends it, with what the plan resolved."""
        own = {"kind": str(check.kind), "function": check.function, "args": list(check.args),
               "host_functions": check.host_functions, "env": check.env,
               "method": check.method, "path": check.path, "grants": self.grants.to_request()}
        return own | {k: self.resolved[k] for k in RESOLVED_KEYS if k in self.resolved}


def serves_http(info: ComponentInfo) -> bool:
    return info.exports_interface(HTTP_HANDLER) or info.exports_interface(HTTP_HANDLER_03)


def host_limit(info: ComponentInfo, host: Host) -> Diagnosis | None:
    """A WASI version the component uses and the host does not declare (host.toml
    `wasi`): the explanation of its failure there, in the host's own words."""
    used = info.wasi_interfaces("0.3")
    if not used or "0.3" in host.wasi:
        return None
    note = host.wasi_notes.get("0.3", "it does not declare WASI 0.3")
    return Diagnosis(id="wasi-0.3", link=WASI_03_LINK, workaround=workaround_for("wasi-0.3"),
                     cause=f"The component uses WASI 0.3 ({', '.join(used[:3])}"
                           f"{', ...' if len(used) > 3 else ''}), which {host.name} does not "
                           f"run: {note}.",
                     hint="Run it on a host that declares WASI 0.3 (wasmtui --list), or build "
                          "it for WASI 0.2.")


def generic_checks(info: ComponentInfo) -> list[Check]:
    """Checks for a component without a manifest, from what it exports."""
    checks = [Check(name="instantiate", kind=CheckKind.INSTANTIATE)]
    if info.exports_interface(CLI_RUN):
        checks.append(Check(name="run", kind=CheckKind.CLI, expect={"exit-code": 0}))
    if serves_http(info):
        checks.append(Check(name="get-root", kind=CheckKind.HTTP, path="/"))
    return checks


def na_reason(check: Check, host: Host) -> str | None:
    """Why `check` cannot apply on this host (it does not run that kind), or None."""
    if check.kind not in host.kinds:
        why = host.unsupported.get(str(check.kind), f"it does not run {check.kind} checks")
        return f"{host.name}: {why}"
    return None


# What each component-model feature of host.toml `component-model` lets a host do.
COMPONENT_MODEL = {
    "async": "call an async export",
    "scenarios": "run a scenario (several calls on one instance)",
    "scenario-interfaces": "call a function of an exported interface in a scenario",
    "handles": "keep a resource handle from one call to the next",
    "streams": "read a stream or future result",
    "stream-arguments": "pass a stream or future as an argument",
    "maps": "pass or return a map<K, V>",
    "load": "load a component without instantiating it"}


def needed_features(check: Check, info: ComponentInfo) -> list[tuple[str, str]]:
    """The component-model features a check needs of its host, each with what needs it:
    a scenario needs "scenarios" (and "handles" where a step binds or drops one,
    "scenario-interfaces" where it calls an exported interface's function); a call
    of an `async func`, "async"; a stream or future in its result, "streams" (not where
    the call is expected to trap: no result is read), and in a parameter,
    "stream-arguments"; an invalid component that imports something, "load"."""
    if check.expect.get("refused") and info.imports:
        # Instantiating would be refused for the missing import alone: only a host that
        # can load without instantiating shows whether it refuses the component itself.
        return [("load", f"an invalid component that imports {info.imports[0].name}")]
    if check.kind is not CheckKind.INVOKE:
        return []
    needs = [("scenarios", check.name)] if check.steps else []
    if any(s.bind or s.drop for s in check.steps):
        needs.append(("handles", check.name))
    calls = [(check.function, check.expect)] if not check.steps \
        else [(s.call, s.expect) for s in check.steps]
    for function, expect in calls:
        located = info.locate(function) if function else None
        if located is None:
            continue
        interface, _, sig = located
        if check.steps and interface is not None:
            needs.append(("scenario-interfaces", function))
        if sig.get("async"):
            needs.append(("async", function))
        if values.has_async_values(sig["result"]) and not expect.get("trap"):
            needs.append(("streams", function))
        if values.params_contain(sig, values.ASYNC_VALUES):
            needs.append(("stream-arguments", function))
        if values.signature_contains(sig, ("map",)):
            needs.append(("maps", function))
    return needs


def feature_na(check: Check, info: ComponentInfo, host: Host) -> str | None:
    """Why a check cannot be asked of this host at all: the component uses a proposal
    the host cannot switch on (host.toml `missing-engine-features`), or an invoke check
    needs a component-model feature (an `async func` export, a scenario) the host
    declares it cannot do (host.toml `component-model`), decided from the component
    before running."""
    for proposal in info.engine_features:
        if (why := host.missing_engine_features.get(proposal)) is not None:
            return f"{host.name} cannot switch on {proposal}, which the component uses: {why}"
    for feature, what in needed_features(check, info):
        if feature not in host.component_model:
            why = host.component_model_notes.get(
                feature, f"its host.toml does not declare component-model = [\"{feature}\"]")
        elif (older := host.lacks(feature)) is not None:
            why = older  # a release of the host from before it had the feature
        else:
            continue
        return f"{host.name} cannot {COMPONENT_MODEL[feature]} ({what}): {why}"
    return None


def missing_export(check: Check, info: ComponentInfo) -> tuple[Verdict, str] | None:
    """What a manifest's check needs that the file does not export: a broken build or a
    typo, so the check fails. A core module (on a host that runs modules of its ABI,
    host.toml `core-modules`) runs as a WASI preview1 command: a cli check needs its
    `_start`, and checks that need a component's typed exports cannot apply (n/a)."""
    if not info.is_component:
        if check.kind in (CheckKind.INVOKE, CheckKind.HTTP):
            return Verdict.NA, (f"a core module runs as a WASI preview1 command (cli and "
                                f"instantiate checks); {check.kind} checks need a component")
        if check.kind is CheckKind.CLI and not any(e.name == "_start" for e in info.exports):
            return Verdict.FAIL, "the core module does not export _start, which a cli check runs"
        return None
    if check.kind is CheckKind.CLI and not info.exports_interface(CLI_RUN):
        return Verdict.FAIL, (f"the component does not export {CLI_RUN} that the manifest's "
                              f"cli check needs")
    if check.kind is CheckKind.HTTP and not serves_http(info):
        return Verdict.FAIL, (f"the component does not export {HTTP_HANDLER} (or "
                              f"{HTTP_HANDLER_03}) that the manifest's http check needs")
    return None


def _version_key(version: str) -> tuple[tuple[int, ...], int, str]:
    """A WASI package version's order: 0.3.0 > 0.3.0-rc-2025-09-16 > 0.2.12 > 0.2.0."""
    release, _, pre = version.partition("-")
    numbers = tuple(int(x) if x.isdigit() else -1 for x in release.split("."))
    return numbers, 0 if pre else 1, pre


def run_exports(info: ComponentInfo, host: Host) -> tuple[tuple[str, ...], str | None]:
    """The command's wasi:cli/run exports in the order a host tries them: the newest
    version the host runs (host.toml `wasi`) first, then the others, newest first
    (a WASI 0.3 program often also exports a 0.2 `run` stub that panics). With several,
    a note for the report says which one runs."""
    names = sorted((e.name for e in info.exports if e.name.split("@")[0] == CLI_RUN),
                   key=lambda n: _version_key(n.partition("@")[2]), reverse=True)
    ordered = tuple(sorted(names, key=lambda n: wasi_release(n) not in host.wasi))
    if len(ordered) < 2:
        return ordered, None
    return ordered, (f"runs {ordered[0]}: the newest of the component's {len(ordered)} "
                     f"{CLI_RUN} exports ({', '.join(names)}) that {host.name} runs "
                     f"(WASI {', '.join(sorted(host.wasi)) or 'none'})")


def host_function_types(check: Check, info: ComponentInfo) -> dict[str, dict[str, Any]] | None:
    """Each of a check's host functions with its signature as the component imports it
    (any version of its interface): an adapter whose engine must be told an import's type
    (wazy's) declares it from here, never a fixed `func(string) -> string`."""
    found = {}
    for name in check.host_functions:
        iface, _, func = name.rpartition(".")
        for imported in info.imports:
            named = imported.name if not iface else imported.name.split("@")[0]
            if named == (iface or func) and (sig := imported.signatures.get(func)) is not None:
                found[name] = sig
    return found or None


def _resolve_command(draft: _Draft, check: Check, info: ComponentInfo, host: Host) -> None:
    """The command's run export(s), exactly as exported, in the order the host tries
    them: a cli check runs one; no other check may (a host whose only instantiate route
    runs it wraps the command first). Which WASI versions it speaks: a host may link
    each its own way (jco: WASI 0.3 in its JSPI mode, with preview3-shim). Each host
    function's type as imported."""
    runs, which = run_exports(info, host)
    if which and check.kind is CheckKind.CLI:
        draft.notes.append(which)
    if runs:
        draft.resolved["run_exports"] = list(runs)
    if wasi := [v for v in WASI_VERSIONS if info.wasi_interfaces(v)]:
        draft.resolved["wasi"] = wasi
    if (types := host_function_types(check, info)) is not None:
        draft.resolved["host_function_types"] = types


def _resolve_call(draft: _Draft, check: Check, info: ComponentInfo, guest: Guest) -> None:
    """Give an invoke check its exported function and signature, with its arguments
    and expected value checked against the types and made canonical (a missing function
    fails; a manifest value that does not fit its type is an error: neither the guest's
    nor the host's doing)."""
    if check.kind is CheckKind.INVOKE and check.steps:
        _resolve_steps(draft, check, info, guest)
        return
    if check.kind is not CheckKind.INVOKE or not check.function:
        return
    where = _where(guest, check)
    iface, func, sig, args = _typed_call(info, check.function, check.args, check.expect, where)
    _needs_no_handle(where, check, sig, args)
    draft.resolved |= {"function": f"{iface}.{func}" if iface else func, "signature": sig,
                       "args": args}
    draft.typing = sig["result"]


def _needs_no_handle(where: str, check: Check, sig: dict[str, Any], args: list[Any]) -> None:
    """A plain call runs when neither its arguments nor its result hold a handle, even if
    its parameters' types could (`total([])` of a list<borrow<counter>>). One that would
    need a handle, or a resource's own function, is a mistake in the manifest (only a
    scenario's steps give and bind handles): a UsageError naming the file and the key,
    never a verdict blamed on a host."""
    handles = [path for (param, t), v in zip(sig["params"], args, strict=True)
               for path, _kind, _name in values.handles_in(t, v, param)]
    why = (f"its arguments hold a resource handle ({handles[0]})" if handles else
           f"it returns {values.render(sig['result'])}, which holds a resource handle"
           if values.has_handles(sig["result"]) else
           "it is a resource's function" if RESOURCE_FUNCTION.search(check.function or "")
           else "")
    if why:
        raise UsageError(f"{where}, key `function` = {check.function!r}: {why}, which only "
                         f"a scenario can give or bind: write the check as `steps` "
                         f"(guests/README.md, \"Scenarios\")")


def _typed_call(info: ComponentInfo, function: str, args: tuple[Any, ...],
                expect: dict[str, Any], where: str
                ) -> tuple[str | None, str, dict[str, Any], list[Any]]:
    """A manifest's call (a check's, or a scenario step's) against the component's
    types: its interface and name as exported, its signature, and its arguments made
    canonical, the expected value checked too. A missing function fails (a broken build
    or a typo); unknown types or a value that does not fit is an error (neither the
    guest's nor the host's doing): the plan settles it."""
    found = info.locate(function)
    if found is None and info.types_error:
        settle(Verdict.ERROR, f"the function types of this component are unknown, so "
                                      f"{function}'s values cannot be converted: "
                                      f"{info.types_error}")
    if found is None:
        settle(Verdict.FAIL, f"the component does not export {function} that the "
                                     f"manifest expects (exports: "
                                     f"{', '.join(e.name for e in info.exports) or 'none'})")
    iface, func, sig = found
    try:
        canonical = values.canonical_args(sig, list(args))
        if "value" in expect:
            values.canonical(sig["result"], expect["value"], "expect.value") \
                if sig["result"] is not None else _no_value(expect["value"])
    except values.ValueMismatch as exc:
        settle(Verdict.ERROR, f"{where}: {exc} (signature: {values.render_signature(sig)})")
    return iface, func, sig, canonical


def _where(guest: Guest, check: Check) -> str:
    return f"{guest.folder / 'guest.toml' if guest.folder else guest.name}: check {check.name!r}"


def _bound(name: str, binds: set[str]) -> bool:
    """A handle name some step bound: a `bind`, or a path into what it bound (`c[0]`)."""
    return name in binds or any(name.startswith((b + "[", b + ".")) for b in binds)


def _resolve_steps(draft: _Draft, check: Check, info: ComponentInfo, guest: Guest) -> None:
    """A scenario's steps for the request: each call's function as exported (interface
    and name apart: a resource function's name holds dots), its signature, its canonical
    arguments, and its expected value checked against the types. A handle must name what
    an earlier step bound; a step whose result holds a handle must bind it."""
    binds: set[str] = set()
    released: dict[str, str] = {}  # handles no longer the caller's: dropped, or moved (own)
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(check.steps, 1):
        where = f"{_where(guest, check)}, step {i}"
        if step.drop:
            _check_drop(where, step.drop, binds, released)
            released[step.drop] = f"dropped at step {i}"
            steps.append({"drop": step.drop})
            continue
        try:
            iface, func, sig, args = _typed_call(info, step.call or "", step.args, step.expect,
                                                 where)
        except Settled as found:
            why = found.facts.why
            raise Settled(replace(found.facts, why=why if why.startswith(where)
                                  else f"step {i}: {why}")) from None
        for (_, t), a in zip(sig["params"], args, strict=True):
            for path, how, name in values.handles_in(t, a):
                if not _bound(name, binds):
                    settle(Verdict.ERROR, f"{where}: argument{path} names handle {name!r}, "
                                          f"which no earlier step binds")
                if how == "own":
                    released.setdefault(name, f"moved into {step.call} at step {i}")
        if values.has_handles(sig["result"]) and not step.bind:
            settle(Verdict.ERROR, f"{where}: {step.call} returns {values.render(sig['result'])}: "
                                  f"name its handle(s) with bind = \"NAME\"")
        if step.bind:
            binds.add(step.bind)
        steps.append({"interface": iface, "name": func, "signature": sig, "args": args,
                      **({"bind": step.bind} if step.bind else {}),
                      **_step_expect(step, sig)})
    draft.resolved["steps"] = steps
    draft.typing = tuple(steps)


def _step_expect(step: Step, sig: dict[str, Any]) -> dict[str, Any]:
    """What a step expects, canonical: the step loops go on after a trap to a step that
    expects one, and an adapter whose host compares values itself (wasmtime_cli's
    `wasmtime wast`) asks it to; the core judges every answer all the same."""
    if step.expect.get("trap"):
        return {"expect": {"trap": True}}
    if "value" in step.expect and not values.has_handles(sig["result"]):
        want = step.expect["value"]
        return {"expect": {"value": values.canonical(sig["result"], want)
                           if sig["result"] is not None else None}}
    return {}


def _check_drop(where: str, name: str, binds: set[str], released: dict[str, str]) -> None:
    """A drop must name a handle an earlier step bound and the caller still holds."""
    if not _bound(name, binds):
        settle(Verdict.ERROR, f"{where}: drop {name!r}: no earlier step binds it")
    if name in released:
        settle(Verdict.ERROR, f"{where}: drop {name!r}: it was {released[name]}, so there is "
                              f"nothing left to drop (hosts differ: some ignore it, some "
                              f"refuse it)")


def _grant(draft: _Draft, check: Check, host: Host, guest: Guest) -> None:
    """Give a check its grants, resolved (directories made absolute, granted variables
    added to its env from wasmtui's own environment). A grant the host cannot give makes
    the check n/a, with why; a granted variable wasmtui itself lacks is an error."""
    if not check.grants:
        return
    for g in check.grants:
        kind = sandbox.grant_kind(g)
        if kind != "env" and kind not in host.can_grant:
            why = host.cannot_grant.get(kind, "its host.toml [can-grant] does not list it")
            settle(Verdict.NA, f"{host.name} cannot grant `{g}`: {why}")
    grants = sandbox.Grants.parse(check.grants, guest.folder)
    if missing := sandbox.missing_env(grants):
        settle(Verdict.ERROR, f"check {check.name!r} grants env:{missing[0]}, which is not set "
                              f"in wasmtui's own environment")
    draft.grants = grants
    draft.resolved["env"] = {**check.env, **sandbox.granted_env(grants)}


def _no_value(v: object) -> None:
    if v is not None:
        raise values.ValueMismatch("expect.value", f"the function returns nothing, so the "
                                                   f"value is null, not {v!r}")


def build_hint(folder: Path) -> str:
    """How a guest's component is built: a catalog guest by its folder's Makefile (the
    seed's targets), another where its own Makefile is, if it has one."""
    if folder.parent.name == "guests":
        return f" run: make -C guests/{folder.name} build"
    return f" run: make -C {folder} build" if (folder / "Makefile").is_file() else ""


def checks_for(guest: Guest, info: ComponentInfo) -> list[Check]:
    if guest.checks:
        return guest.checks
    if info.is_component:
        return generic_checks(info)
    return [Check(name="load", kind=CheckKind.INSTANTIATE)]


def absent(host: Host, status: HostStatus, required: bool) -> tuple[Verdict, str] | None:
    """A host that cannot run anything here: `unavailable` (with the install command),
    or `error` when its adapter broke before its hello or the run requires that host
    (--strict, --require-host): then even its n/a checks say so."""
    if status.available:
        return None
    if status.broken:
        why = f"{host.name}'s adapter broke before it said hello: {status.reason}"
    elif required:
        why = f"{host.name} is required by this run but not available here: {status.reason}"
    else:
        why = f"{host.name} is not available here: {status.reason}"
    if status.install:
        why += f" (install: {status.install})"
    return (Verdict.ERROR if status.broken or required else Verdict.UNAVAILABLE), why


def evidence_command(info: ComponentInfo) -> str:
    """A command that shows what inspect saw in a file that no host is asked to run (its
    verdict's reproduction): the validator's complaint, or a core module's header and
    imports."""
    wasm_tools = shlex.quote(tool("wasm-tools") or "wasm-tools")
    path = shlex.quote(str(info.path))
    if info.kind == "missing":
        return f"ls -l {path}"
    if info.kind == "core-module":
        return f"{wasm_tools} print {path} | grep -m6 -E '^\\(module|\\(import'"
    return f"{wasm_tools} validate --features all {path}"


def _bad_input(info: ComponentInfo, host: Host, guest: Guest, check: Check) -> None:
    """A file this host is not asked to run at all (missing, empty, corrupt, or a core
    module of an ABI it does not run): decided before anything about the host's check
    kinds, so a bad input is never `n/a` and never exits 0. A missing file is an error
    (not the guest's verdict); the others fail, with a command that shows why. A check
    that expects the host to refuse the file (a spec test's invalid component) asks it."""
    if info.runs_on(host) or (check.expect.get("refused") and info.kind != "missing"):
        return
    verdict = Verdict.ERROR if info.kind == "missing" else Verdict.FAIL
    reason = info.error
    if info.kind == "missing" and guest.folder is not None:
        reason += f" (not built?{build_hint(guest.folder)})"
    settle(verdict, reason, error=info.error, diagnosis=diagnose(verdict, info.error),
           command=evidence_command(info))


def _applies(check: Check, info: ComponentInfo, host: Host) -> None:
    """A check the host cannot be asked (n/a, with why), or one the file cannot answer
    (a missing export fails; a core module's typed checks are n/a)."""
    if (why := na_reason(check, host) or feature_na(check, info, host)) is not None:
        settle(Verdict.NA, why)
    if (bad := missing_export(check, info)) is not None:
        settle(*bad)


def _engine_features(draft: _Draft, check: Check, info: ComponentInfo, host: Host) -> None:
    """The proposals the host must switch on: those the component uses; for a component
    the host must refuse (an invalid one, whose proposals no validator can tell), every
    one the host can, so its refusal is its validator's and never a switch left off.
    Such a check loads the component only (`load_only`, where the host can)."""
    features = list(info.engine_features)
    if check.expect.get("refused"):
        features = [f for f in ENGINE_FEATURES if f not in host.missing_engine_features]
        if "load" in host.component_model:
            draft.resolved["load_only"] = True
    if features:
        draft.resolved["engine_features"] = features


def plan_check(check: Check, info: ComponentInfo, guest: Guest, host: Host,
               known_failures: list[KnownFailure] | None = None,
               workaround: dict[str, list[str]] | None = None) -> tuple[Planned, Facts | None]:
    """Everything about one check on one host that can be known before it runs, by the
    plan's rules in this order: bad input, n/a (with why), a missing export, the call
    resolved against the component's types, the grants. Returns the plan, and the facts
    of the rule that settled it (None: it runs). `workaround`: a rerun's host flags."""
    draft = _Draft()
    facts = None
    try:
        _bad_input(info, host, guest, check)
        _applies(check, info, host)
        _resolve_command(draft, check, info, host)
        _resolve_call(draft, check, info, guest)
        _grant(draft, check, host, guest)
        if workaround:
            draft.resolved["workaround"] = workaround
        _engine_features(draft, check, info, host)
    except Settled as found:
        facts = found.facts
    if info.text_format:
        draft.notes.append(f"WebAssembly text, assembled by wasm-tools parse: the host is "
                           f"given {info.binary}")
    planned = Planned(
        check=check, host=host.base_name, request=draft.request(check),
        expected=expected_of(check), typing=draft.typing, grants=draft.grants,
        host_limit=host_limit(info, host), producers=tuple(info.producers),
        known_failure=expectations.find(known_failures or [], guest.name, host.name, check.name),
        notes=tuple(draft.notes))
    return planned, facts


def _record_settled(run: CheckRun, facts: Facts) -> None:
    """A check decided by the plan, before any host runs it (decide.py judges it)."""
    if facts.command:
        run.command = facts.command
    run.record(decide(run.planned, facts))
    run.runnable = False


def plan_cell(guest: Guest, info: ComponentInfo, host: Host, status: HostStatus | None,
              required: bool = False,
              known_failures: list[KnownFailure] | None = None,
              workaround: dict[str, list[str]] | None = None) -> Cell:
    """A cell's checks, each planned (plan_check) and settled here when it cannot run;
    then, once the host's `status` is known (None: not asked yet, see `apply_status`),
    a broken, required-but-missing or absent host."""
    runs = []
    for check in checks_for(guest, info):
        planned, facts = plan_check(check, info, guest, host, known_failures, workaround)
        run = CheckRun(planned=planned)
        if facts is not None:
            _record_settled(run, facts)
        runs.append(run)
    cell = Cell(guest=guest, host=host, runs=runs,
                binary=Path(info.binary) if info.binary else None)
    if status is not None:
        apply_status(cell, status, required)
    return cell


def needs_host(cell: Cell) -> bool:
    """Whether any check of the cell is left for the host to run: a host none of whose
    cells needs it is never started."""
    return any(run.runnable for run in cell.runs)


def with_sandbox(planned: Planned, declared: sandbox.HostSandbox) -> Planned:
    """The plan once the host's hello is known: its sandbox as declared (Host.sandbox),
    and so what a sandbox probe expects to measure."""
    expected = planned.expected
    if wanted := planned.check.expect.get("capabilities"):
        expected = {**expected,
                    "capabilities": sandbox.expected(wanted, planned.grants, declared)}
    return replace(planned, sandbox=declared, expected=expected)


def apply_status(cell: Cell, status: HostStatus, required: bool = False) -> None:
    """What the host's hello says of the checks left to it: they run (its version is
    recorded, and its sandbox as declared), or are `unavailable` / `error` (absent); a
    broken or required host's `error` also replaces its n/a checks, so the run fails."""
    absence = absent(cell.host, status, required)
    declared = cell.host.sandbox(status)
    for run in cell.runs:
        run.host_version = status.version
        run.planned = with_sandbox(run.planned, declared)
        if absence is None:
            continue
        if run.runnable or (absence[0] is Verdict.ERROR and run.verdict is Verdict.NA):
            _record_settled(run, settled(*absence, evidence=False))


def plan(guests: list[Guest], infos: dict[str, ComponentInfo], hosts: list[Host],
         statuses: dict[str, HostStatus] | None = None, required: frozenset[str] = frozenset(),
         known_failures: list[KnownFailure] | None = None) -> list[Cell]:
    """Every cell; a host missing from `statuses` (or all of them, when None) is not
    asked yet: its checks stay pending until `apply_status`."""
    return [plan_cell(g, infos[g.name], h, (statuses or {}).get(h.name), h.name in required,
                      known_failures)
            for g in guests for h in hosts]
