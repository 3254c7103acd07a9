"""The schemas of guest.toml and host.toml (pydantic): a typo is an error naming the file
and the key, never a silently weaker check (`[[checks]]` for `[[check]]`, `expected`
for `expect`, a string timeout...). The catalog turns these into the model's dataclasses.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as _PydanticError

from .sandbox import CAPABILITIES, GRANT, declared_state

Kind = Literal["invoke", "cli", "http", "instantiate"]
Builtin = Literal["reverse", "upper", "identity"]  # adapters/PROTOCOL.md host functions
Capability = Literal["env", "filesystem", "sockets", "http-outgoing"]  # sandbox.CAPABILITIES
assert get_args(Capability) == CAPABILITIES
# Component-model features beyond plain calls a host may declare (plan.COMPONENT_MODEL).
CMFeature = Literal["async", "scenarios", "scenario-interfaces", "handles", "streams",
                    "stream-arguments", "maps", "load"]
# Component-model proposals a component may use, by the validator's names (wasmparser's;
# inspect.engine_features works out which).
EngineFeature = Literal["cm-async", "cm-more-async-builtins", "cm-async-stackful", "cm-threading",
                        "cm-error-context", "cm-fixed-length-lists", "cm-map", "cm-implements",
                        "cm-forward", "cm-gc", "cm-values", "cm-nested-names", "cm64",
                        "cm-canon-names", "cm-accessors"]
ENGINE_FEATURES: tuple[str, ...] = get_args(EngineFeature)
GrantKind = Literal["dir", "network", "http-outgoing"]  # what a host may be unable to grant
# Close misspellings worth a hint in the error.
HINTS = {"checks": "[[check]]", "expected": "expect", "expects": "expect", "arg": "args",
         "host_functions": "host-functions", "exit_code": "exit-code"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


def _json_text(text: str | None, key: str) -> Any:
    try:
        return json.loads(text) if text is not None else None
    except ValueError as exc:
        raise ValueError(f"`{key}` must be a string of JSON: {exc}") from exc


class Expect(_Strict):
    """What a check expects; `*-json` keys are the JSON spelling (TOML has no null)."""

    value: Any = None
    value_json: StrictStr | None = Field(None, alias="value-json")
    stdout: StrictStr | None = None
    exit_code: StrictInt | None = Field(None, alias="exit-code")
    status: StrictInt | None = None
    body: StrictStr | None = None
    trap: Literal[True] | None = None
    # A sandbox probe's check: these capabilities must be denied unless granted.
    capabilities: list[Capability] | None = None

    @model_validator(mode="after")
    def _one_spelling(self) -> Expect:
        given = self.model_fields_set
        if {"value", "value_json"} <= given:
            raise ValueError("give `value` or `value-json`, not both")
        if self.trap and len(given) > 1:
            raise ValueError("a check that expects a trap expects nothing else")
        return self

    def as_dict(self) -> dict[str, Any]:
        """The expectations given, under the manifest's names (`exit-code`...), in the
        schema's order: `model_fields_set` is a set, whose order changes with the
        process's string hashing, and a reason lists the wrong fields in this order."""
        out: dict[str, Any] = {}
        for name in [n for n in type(self).model_fields if n in self.model_fields_set]:
            alias = type(self).model_fields[name].alias or name
            if name == "value_json":
                out["value"] = _json_text(self.value_json, "value-json")
            else:
                out[alias] = getattr(self, name)
        return out


def known_features(ids: list[str]) -> list[str]:
    """Feature tags must name a feature of data/features.toml (a typo would prove nothing)."""
    from .features import feature_list

    if bad := [i for i in ids if i not in feature_list()]:
        raise ValueError(f"unknown feature {bad[0]!r} (features: {', '.join(feature_list())})")
    return ids


class _Arguments(_Strict):
    """A call's arguments, as `args` or in their JSON spelling `args-json` (TOML has no
    null): a check's, or a scenario step's."""

    args: list[Any] | None = None
    args_json: StrictStr | None = Field(None, alias="args-json")

    @model_validator(mode="after")
    def _one_spelling(self) -> _Arguments:
        if self.args is not None and self.args_json is not None:
            raise ValueError("give `args` or `args-json`, not both")
        if self.args_json is not None and not isinstance(_json_text(self.args_json, "args-json"),
                                                         list):
            raise ValueError("`args-json` must be a JSON array")
        return self

    def arguments(self) -> list[Any]:
        if self.args_json is not None:
            return _json_text(self.args_json, "args-json")
        return list(self.args or [])


class StepEntry(_Arguments):
    """One step of a scenario (a check's `steps`): call a function, constructor, method
    or static, or drop a bound handle, on the one instance the scenario runs on."""

    call: StrictStr | None = None
    bind: StrictStr | None = None  # the name the returned handle(s) are bound to
    drop: StrictStr | None = None
    expect: Expect | None = None

    @model_validator(mode="after")
    def _one_action(self) -> StepEntry:
        if (self.call is None) == (self.drop is None):
            raise ValueError("a step either calls (call = \"iface.func\") or drops "
                             "(drop = \"NAME\")")
        if self.drop is not None and self.model_fields_set - {"drop"}:
            raise ValueError("a drop step takes nothing but the handle's name")
        if self.expect is not None and self.expect.model_fields_set - {"value", "value_json",
                                                                       "trap"}:
            raise ValueError("a step expects a `value` (or `value-json`) or a `trap`")
        return self


class CheckEntry(_Arguments):
    """One `[[check]]` of guest.toml."""

    name: StrictStr
    kind: Kind
    function: StrictStr | None = None
    expect: Expect | None = None
    host_functions: dict[StrictStr, Builtin] = Field(default_factory=dict, alias="host-functions")
    env: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    method: StrictStr = "GET"
    path: StrictStr = "/"
    timeout: float | None = Field(None, gt=0)
    grants: list[StrictStr] = Field(default_factory=list)
    # Written by `wasmtui init` on each placeholder check: the check fails (showing what
    # the host returned) until its arguments and expectation are filled in and this goes.
    todo: StrictStr = ""
    # What the check proves (data/features.toml ids), besides its guest's `features`.
    features: list[StrictStr] = Field(default_factory=list)
    # A scenario: several calls on one instance, in order (an invoke check without
    # `function`): guests/README.md.
    steps: list[StepEntry] | None = None

    @field_validator("features")
    @classmethod
    def _features(cls, ids: list[str]) -> list[str]:
        return known_features(ids)

    @field_validator("steps")
    @classmethod
    def _scenario(cls, steps: list[StepEntry] | None) -> list[StepEntry] | None:
        if steps is None:
            return None
        if not steps:
            raise ValueError("a scenario needs at least one step")
        for i, step in enumerate(steps[:-1]):
            if step.expect is not None and step.expect.trap:
                raise ValueError(f"step {i + 1} expects a trap, so it must be the last step "
                                 f"(a trapped instance cannot be entered again)")
        binds = [s.bind for s in steps if s.bind]
        if dupes := sorted({b for b in binds if binds.count(b) > 1}):
            raise ValueError(f"each step binds its own name: {dupes[0]!r} is bound twice")
        return steps

    @field_validator("grants")
    @classmethod
    def _grants(cls, grants: list[str]) -> list[str]:
        bad = [g for g in grants if not GRANT.match(g)]
        if bad:
            raise ValueError(f"unknown grant {bad[0]!r} (grants: \"network\", "
                             f"\"http-outgoing\", \"env:NAME\", \"dir:PATH\")")
        return grants

    @model_validator(mode="after")
    def _complete(self) -> CheckEntry:
        if self.steps is not None:
            if self.kind != "invoke":
                raise ValueError("`steps` belong to an invoke check")
            if given := self.model_fields_set & {"function", "args", "args_json", "expect"}:
                raise ValueError(f"a scenario's calls, arguments and expectations are in its "
                                 f"steps, not in the check (`{sorted(given)[0]}`)")
            return self
        if self.kind == "invoke":
            if not self.function:
                raise ValueError("an invoke check needs a `function`")
            if self.expect is None:
                raise ValueError("an invoke check needs an `expect` (e.g. expect = { value = 1 },"
                                 " or expect = { trap = true })")
        return self


class GuestManifest(_Strict):
    name: StrictStr = ""  # default: the manifest's folder name
    description: StrictStr = ""
    component: StrictStr | None = None
    features: list[StrictStr] = Field(default_factory=list)  # what all its checks prove
    check: list[CheckEntry] = Field(default_factory=list)

    @field_validator("features")
    @classmethod
    def _features(cls, ids: list[str]) -> list[str]:
        return known_features(ids)

    @field_validator("check")
    @classmethod
    def _unique(cls, checks: list[CheckEntry]) -> list[CheckEntry]:
        names = [c.name for c in checks]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"check names must be unique: {', '.join(dupes)} appear twice")
        return checks


class ReleasesManifest(_Strict):
    """How other releases of a host are listed and installed beside the default one."""

    registry: Literal["pypi", "npm", "goproxy"]
    package: StrictStr  # the registry package whose releases are the host's versions
    label: StrictStr = ""  # how answers name it ("wasmtime-py"); default: the package
    # A shell command; {version}, {dir} (the release's folder in the cache), {python} and
    # {root} (the project folder holding hosts/) are filled in, quoted.
    install: StrictStr
    # Variables that make the adapter use that release ({dir} filled in).
    env: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    # The program that runs the adapter at that release, in place of the adapter's first
    # word ({dir} filled in): the release's own node, for a Node release.
    program: StrictStr = ""
    # Component-model features its host declares that this axis has only from a version
    # on: feature -> "VERSION: why the earlier ones lack it" (their checks are n/a there).
    component_model_since: dict[CMFeature, StrictStr] = Field(default_factory=dict,
                                                             alias="component-model-since")

    @field_validator("component_model_since")
    @classmethod
    def _since(cls, since: dict[str, str]) -> dict[str, str]:
        for feature, text in since.items():
            if not re.match(r"\d+(\.\d+)*: \S", text):
                raise ValueError(f"{feature}: write \"VERSION: why\" (\"25.0.0: no JSPI before\")")
        return since


class OwnBinaryManifest(_Strict):
    """How a host runs a binary of the user's own (-H NAME@/PATH) in place of its own."""

    # The variable its adapter reads the binary's path from (WASMTUI_WASMTIME)...
    env: StrictStr = ""
    # ...or the binary runs the adapter itself, in place of its first word (a node).
    program: StrictBool = False

    @model_validator(mode="after")
    def _one_way(self) -> OwnBinaryManifest:
        if bool(self.env) == self.program:
            raise ValueError("say either env = \"VARIABLE\" or program = true")
        return self


class HostManifest(_Strict):
    description: StrictStr = ""
    adapter: list[StrictStr] = Field(min_length=1)
    checks: list[Kind]
    install: StrictStr | None = None
    # Why its install takes minutes (the runwasi shim builds from source): `make run`
    # then installs it in the background and the TUI fills its column in when it is ready.
    slow_install: StrictStr = Field("", alias="slow-install")
    unsupported: dict[Kind, StrictStr] = Field(default_factory=dict)
    # What a guest gets by default, per capability: "denied: how" or "granted: why".
    grants: dict[Capability, StrictStr] = Field(default_factory=dict)
    # How the host isolates guests from the machine (a browser's own sandbox...), in words.
    isolation: StrictStr = ""
    # Why its verdicts deserve a second look (a young runtime): shown beside its name by
    # `wasmtui hosts`, in the report and the README. Its verdicts count like any other's.
    experimental: StrictStr = ""
    # Variables the host sets in every guest itself (not the user's): INSTANCE_ID.
    own_env: list[StrictStr] = Field(default_factory=list, alias="own-env")
    # Grants a check may ask for and how this host gives them (env:NAME needs nothing).
    can_grant: dict[GrantKind, StrictStr] = Field(default_factory=dict, alias="can-grant")
    cannot_grant: dict[GrantKind, StrictStr] = Field(default_factory=dict, alias="cannot-grant")
    host_functions: StrictBool | StrictStr = Field(False, alias="host-functions")
    # WASI versions whose worlds it runs ("0.2", "0.3"), and what 0.3 needs where it can.
    wasi: list[Literal["0.2", "0.3"]] = Field(default_factory=lambda: ["0.2"])
    wasi_notes: dict[StrictStr, StrictStr] = Field(default_factory=dict, alias="wasi-notes")
    # Component-model features beyond plain functions that it can call ("async": `async
    # func` exports), and why not the others: an invoke check that needs one it lacks is n/a.
    component_model: list[CMFeature] = Field(default_factory=list, alias="component-model")
    component_model_notes: dict[CMFeature, StrictStr] = Field(
        default_factory=dict, alias="component-model-notes")
    # Component-model proposals (the validator's names) it cannot switch on, and why: a
    # component that uses one is n/a there. One it can switch on is named in the request
    # (`engine_features`) and its adapter does; one not listed here is asked of it.
    missing_engine_features: dict[EngineFeature, StrictStr] = Field(
        default_factory=dict, alias="missing-engine-features")
    # Core modules it runs as they are, by the ABI they import ("wasip1": only
    # wasi_snapshot_preview1), and how; a host without the key refuses every core module.
    core_modules: dict[Literal["wasip1"], StrictStr] = Field(default_factory=dict,
                                                             alias="core-modules")
    # Variables of the user's environment its adapter needs (never passed to guests).
    pass_env: list[StrictStr] = Field(default_factory=list, alias="pass-env")
    # Other releases, one [[releases]] per axis: the first is chosen by -H NAME@VERSION,
    # the others by -H NAME@LABEL-VERSION (plugin_node: jco releases, and node's).
    releases: list[ReleasesManifest] = Field(default_factory=list)
    own_binary: OwnBinaryManifest | None = Field(None, alias="own-binary")

    @field_validator("releases")
    @classmethod
    def _axes_named(cls, axes: list[ReleasesManifest]) -> list[ReleasesManifest]:
        labels = [a.label or a.package for a in axes]
        if len(set(labels)) != len(labels):
            raise ValueError("each [[releases]] needs its own label")
        return axes

    @field_validator("grants")
    @classmethod
    def _states(cls, grants: dict[str, str]) -> dict[str, str]:
        for cap, text in grants.items():
            if declared_state(text) == "denied" and not text.lstrip().lower().startswith(
                    "denied"):
                raise ValueError(f"[grants] {cap} must start with \"denied\" or \"granted\"")
        return grants


def describe(error: _PydanticError) -> str:
    """pydantic's errors as `key.path: message` lines, with the TOML spellings."""
    lines = []
    for e in error.errors():
        loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in e["loc"])
        loc = loc.replace(".[", "[")
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
            if (hint := HINTS.get(str(e["loc"][-1]))) is not None:
                msg += f" (did you mean {hint}?)"
        lines.append(f"{loc or 'the file'}: {msg}")
    return "; ".join(lines)


ValidationError = _PydanticError
