"""From guests, their inspected worlds and the hosts' declared capabilities to cells.

A check that cannot apply is `n/a` with the reason in words, computed here and nowhere
else; a host that is not installed makes its checks `unavailable`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import expectations, sandbox, values
from .decide import Facts, Known, decide, settled
from .diagnose import diagnose, workaround_for
from .errors import UsageError
from .model import (
    Cell,
    Check,
    CheckKind,
    CheckRun,
    ComponentInfo,
    Diagnosis,
    Expectation,
    Guest,
    Host,
    HostStatus,
    Resolved,
    Verdict,
    wasi_release,
)
from .paths import tool

CLI_RUN = "wasi:cli/run"
WASI_VERSIONS = ("0.2", "0.3")  # the WASI releases of component interfaces (host.toml `wasi`)
# How the component model names a resource's functions ([method]x.get-a...).
RESOURCE_FUNCTION = re.compile(r"\[(constructor|method|static)\]")
HTTP_HANDLER = "wasi:http/incoming-handler"  # WASI 0.2
HTTP_HANDLER_03 = "wasi:http/handler"  # WASI 0.3 (wasi:http/service)
WASI_03_LINK = "https://github.com/WebAssembly/WASI/tree/main/proposals"


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
FEATURES = {"async": "call an async export",
            "scenarios": "run a scenario (several calls on one instance, resource handles)",
            "streams": "read a stream or future result",
            "stream-arguments": "pass a stream or future as an argument",
            "maps": "pass or return a map<K, V>"}


def needed_features(check: Check, info: ComponentInfo) -> list[tuple[str, str]]:
    """The component-model features an invoke check needs of its host, each with what
    needs it: a scenario needs "scenarios"; a call of an `async func`, "async"; a stream
    or future in its result, "streams", and in a parameter, "stream-arguments"."""
    if check.kind is not CheckKind.INVOKE:
        return []
    needs = [("scenarios", check.name)] if check.steps else []
    for function in [check.function] if not check.steps else [s.call for s in check.steps]:
        found = info.find_function(function) if function else None
        if found is None:
            continue
        sig = found[1]
        if sig.get("async"):
            needs.append(("async", function))
        if values.has_async_values(sig["result"]):
            needs.append(("streams", function))
        if values.params_contain(sig, values.ASYNC_VALUES):
            needs.append(("stream-arguments", function))
        if values.signature_contains(sig, ("map",)):
            needs.append(("maps", function))
    return needs


def feature_na(check: Check, info: ComponentInfo, host: Host) -> str | None:
    """Why an invoke check cannot be asked of this host at all: it needs a
    component-model feature (an `async func` export, a scenario) the host declares it
    cannot do (host.toml `component-model`), decided from the component's types before
    running."""
    for feature, what in needed_features(check, info):
        if feature not in host.component_model:
            why = host.component_model_notes.get(
                feature, f"its host.toml does not declare component-model = [\"{feature}\"]")
        elif (older := host.lacks(feature)) is not None:
            why = older  # a release of the host from before it had the feature
        else:
            continue
        return f"{host.name} cannot {FEATURES[feature]} ({what}): {why}"
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


def resolve(run: CheckRun, info: ComponentInfo, guest: Guest, host: Host
            ) -> tuple[Verdict, str] | None:
    """Give an invoke check its exported function and signature, with its arguments
    and expected value checked against the types and made canonical. Returns the
    verdict settled here (a missing function fails; a manifest value that does not fit
    its type is an error: neither the guest's nor the host's doing), or None."""
    check = run.check
    # The command's run export(s), exactly as exported, in the order the host tries them:
    # a cli check runs one; no other check may (a host whose only instantiate route runs
    # it wraps the command first). Which WASI versions it speaks: a host may link each its
    # own way (jco: WASI 0.3 in its JSPI mode, with preview3-shim).
    runs, which = run_exports(info, host)
    if which and check.kind is CheckKind.CLI:
        run.notes.append(which)
    run.resolved = Resolved(run_exports=runs,
                            wasi=tuple(v for v in WASI_VERSIONS if info.wasi_interfaces(v)),
                            host_function_types=host_function_types(check, info))
    if check.kind is CheckKind.INVOKE and check.steps:
        return resolve_steps(run, info, guest)
    if check.kind is not CheckKind.INVOKE or not check.function:
        return None
    where = _where(guest, check)
    try:
        iface, func, sig, args = _typed_call(info, check.function, check.args, check.expect,
                                             where)
    except _Settled as settled_here:
        return settled_here.verdict, settled_here.why
    name = f"{iface}.{func}" if iface else func
    _needs_no_handle(where, check, sig, args)
    run.resolved = replace(run.resolved, function=name, signature=sig, args=tuple(args))
    return None


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


class _Settled(Exception):
    """A call of the manifest's that the plan settles (resolve): its verdict and why."""

    def __init__(self, verdict: Verdict, why: str) -> None:
        super().__init__(why)
        self.verdict, self.why = verdict, why


def _typed_call(info: ComponentInfo, function: str, args: tuple[Any, ...],
                expect: dict[str, Any], where: str
                ) -> tuple[str | None, str, dict[str, Any], list[Any]]:
    """A manifest's call (a check's, or a scenario step's) against the component's
    types: its interface and name as exported, its signature, and its arguments made
    canonical, the expected value checked too. A missing function fails (a broken build
    or a typo); unknown types or a value that does not fit is an error (neither the
    guest's nor the host's doing): raised as _Settled."""
    found = info.locate(function)
    if found is None and info.types_error:
        raise _Settled(Verdict.ERROR, f"the function types of this component are unknown, so "
                                      f"{function}'s values cannot be converted: "
                                      f"{info.types_error}")
    if found is None:
        raise _Settled(Verdict.FAIL, f"the component does not export {function} that the "
                                     f"manifest expects (exports: "
                                     f"{', '.join(e.name for e in info.exports) or 'none'})")
    iface, func, sig = found
    try:
        canonical = values.canonical_args(sig, list(args))
        if "value" in expect:
            values.canonical(sig["result"], expect["value"], "expect.value") \
                if sig["result"] is not None else _no_value(expect["value"])
    except values.ValueMismatch as exc:
        raise _Settled(Verdict.ERROR, f"{where}: {exc} (signature: "
                                      f"{values.render_signature(sig)})") from exc
    return iface, func, sig, canonical


def _where(guest: Guest, check: Check) -> str:
    return f"{guest.folder / 'guest.toml' if guest.folder else guest.name}: check {check.name!r}"


def _bound(name: str, binds: set[str]) -> bool:
    """A handle name some step bound: a `bind`, or a path into what it bound (`c[0]`)."""
    return name in binds or any(name.startswith((b + "[", b + ".")) for b in binds)


def resolve_steps(run: CheckRun, info: ComponentInfo, guest: Guest
                  ) -> tuple[Verdict, str] | None:
    """A scenario's steps for the request: each call's function as exported (interface
    and name apart: a resource function's name holds dots), its signature, its canonical
    arguments, and its expected value checked against the types. A handle must name what
    an earlier step bound; a step whose result holds a handle must bind it. Returns the
    verdict settled here (as `resolve`), or None."""
    check = run.check
    binds: set[str] = set()
    gone: dict[str, str] = {}  # handles no longer the caller's: dropped, or moved (own)
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(check.steps, 1):
        where = f"{_where(guest, check)}, step {i}"
        if step.drop:
            if not _bound(step.drop, binds):
                return Verdict.ERROR, f"{where}: drop {step.drop!r}: no earlier step binds it"
            if step.drop in gone:
                return Verdict.ERROR, (f"{where}: drop {step.drop!r}: it was {gone[step.drop]}, "
                                       f"so there is nothing left to drop (hosts differ: some "
                                       f"ignore it, some refuse it)")
            gone[step.drop] = f"dropped at step {i}"
            steps.append({"drop": step.drop})
            continue
        try:
            iface, func, sig, args = _typed_call(info, step.call or "", step.args, step.expect,
                                                 where)
        except _Settled as settled_here:
            why = settled_here.why
            return settled_here.verdict, why if why.startswith(where) else f"step {i}: {why}"
        for (_, t), a in zip(sig["params"], args, strict=True):
            for path, how, name in values.handles_in(t, a):
                if not _bound(name, binds):
                    return Verdict.ERROR, (f"{where}: argument{path} names handle {name!r}, "
                                           f"which no earlier step binds")
                if how == "own":
                    gone.setdefault(name, f"moved into {step.call} at step {i}")
        if values.has_handles(sig["result"]) and not step.bind:
            return Verdict.ERROR, (f"{where}: {step.call} returns "
                                   f"{values.render(sig['result'])}: name its handle(s) with "
                                   f"bind = \"NAME\"")
        if step.bind:
            binds.add(step.bind)
        steps.append({"interface": iface, "name": func, "signature": sig, "args": args,
                      **({"bind": step.bind} if step.bind else {})})
    run.resolved = replace(run.resolved, steps=tuple(steps))
    return None


def grant(run: CheckRun, host: Host, guest: Guest) -> tuple[Verdict, str] | None:
    """Give a check its grants, resolved (directories made absolute, granted variables
    added to its env from wasmtui's own environment). A grant the host cannot give makes
    the check n/a, with why; a granted variable wasmtui itself lacks is an error."""
    check = run.check
    if not check.grants:
        return None
    for g in check.grants:
        kind = sandbox.grant_kind(g)
        if kind != "env" and kind not in host.can_grant:
            why = host.cannot_grant.get(kind, "its host.toml [can-grant] does not list it")
            return Verdict.NA, f"{host.name} cannot grant `{g}`: {why}"
    grants = sandbox.Grants.parse(check.grants, guest.folder)
    if missing := sandbox.missing_env(grants):
        return Verdict.ERROR, (f"check {check.name!r} grants env:{missing[0]}, which is not set "
                               f"in wasmtui's own environment")
    run.grants = grants
    run.resolved = replace(run.resolved, grants=grants.to_request(),
                           env={**check.env, **sandbox.granted_env(grants)})
    return None


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


def bad_input(run: CheckRun, info: ComponentInfo, host: Host, guest: Guest) -> Facts | None:
    """A file this host is not asked to run at all (missing, empty, corrupt, or a core
    module of an ABI it does not run): decided before anything about the host's check
    kinds, so a bad input is never `n/a` and never exits 0. A missing file is an error
    (not the guest's verdict); the others fail, with a command that shows why."""
    if info.runs_on(host):
        return None
    verdict = Verdict.ERROR if info.kind == "missing" else Verdict.FAIL
    reason = info.error
    if info.kind == "missing" and guest.folder is not None:
        reason += f" (not built?{build_hint(guest.folder)})"
    run.command = evidence_command(info)
    return settled(verdict, reason, error=info.error, diagnosis=diagnose(verdict, info.error))


def _settle(run: CheckRun, facts: Facts) -> None:
    """A check decided by the plan, before any host runs it (decide.py judges it)."""
    run.record(decide(run.check, facts, Known(known_failure=run.known_failure)))
    run.runnable = False


def plan_cell(guest: Guest, info: ComponentInfo, host: Host, status: HostStatus | None,
              required: bool = False, known: list[Expectation] | None = None) -> Cell:
    """A cell's checks, each settled here when it cannot run, in this order: bad input,
    n/a (with why), a manifest problem; then, once the host's `status` is known (None:
    not asked yet, see `apply_status`), a broken, required-but-missing or absent host."""
    runs = []
    for check in checks_for(guest, info):
        run = CheckRun(check=check, host_limit=host_limit(info, host),
                       producers=tuple(info.producers),
                       known_failure=expectations.find(known or [], guest.name, host.name,
                                                     check.name))
        if (facts := bad_input(run, info, host, guest)) is not None:
            _settle(run, facts)
        elif (why := na_reason(check, host) or feature_na(check, info, host)) is not None:
            _settle(run, settled(Verdict.NA, why))
        elif (bad := missing_export(check, info) or resolve(run, info, guest, host)
                     or grant(run, host, guest)) is not None:
            _settle(run, settled(*bad))
        runs.append(run)
    cell = Cell(guest=guest, host=host, runs=runs,
                binary=Path(info.binary) if info.binary else None)
    if info.text_format:
        for run in runs:
            run.notes.append(f"WebAssembly text, assembled by wasm-tools parse: the host is "
                             f"given {info.binary}")
    if status is not None:
        apply_status(cell, status, required)
    return cell


def needs_host(cell: Cell) -> bool:
    """Whether any check of the cell is left for the host to run: a host none of whose
    cells needs it is never started."""
    return any(run.runnable for run in cell.runs)


def apply_status(cell: Cell, status: HostStatus, required: bool = False) -> None:
    """What the host's hello says of the checks left to it: they run (its version is
    recorded), or are `unavailable` / `error` (absent); a broken or required host's
    `error` also replaces its n/a checks, so the run fails."""
    gone = absent(cell.host, status, required)
    for run in cell.runs:
        run.host_version = status.version
        if gone is None:
            continue
        if run.runnable or (gone[0] is Verdict.ERROR and run.verdict is Verdict.NA):
            _settle(run, settled(*gone, evidence=False))


def plan(guests: list[Guest], infos: dict[str, ComponentInfo], hosts: list[Host],
         statuses: dict[str, HostStatus] | None = None, required: frozenset[str] = frozenset(),
         known: list[Expectation] | None = None) -> list[Cell]:
    """Every cell; a host missing from `statuses` (or all of them, when None) is not
    asked yet: its checks stay pending until `apply_status`."""
    return [plan_cell(g, infos[g.name], h, (statuses or {}).get(h.name), h.name in required,
                      known)
            for g in guests for h in hosts]
