"""The feature table's rules on hand-made reports (no host runs), and the tags' check."""

from __future__ import annotations

import pytest

from wasmtui.catalog import load_guest
from wasmtui.errors import UsageError
from wasmtui.features import feature_table, to_markdown
from wasmtui.report import SCHEMA


def check(name, verdict, features=("async-exports",), **kw):
    return {"name": name, "verdict": verdict, "reason": f"{name}: {verdict}",
            "features": list(features), **kw}


def table(cells):
    report = {"schema": SCHEMA, "started_at": "2026-12-02", "hosts": [
        {"name": h, "version": f"{h} 1.0"} for h in ("a", "b", "c", "d", "e", "f")],
        "cells": [{"guest": "g", "host": h, "checks": ks} for h, ks in cells.items()]}
    return feature_table(report)["features"]["async-exports"]["hosts"]


def test_each_status_from_the_verdicts():
    hosts = table({
        "a": [check("x", "pass"), check("y", "pass")],
        "b": [check("x", "n/a", reason="b cannot call an async export: no API")],
        "c": [check("x", "fail", diagnosis={"cause": "no JSPI"}), check("y", "fail")],
        "d": [check("x", "fail", workaround={"verdict": "pass", "label": "--flag"})],
        "e": [check("x", "pass"), check("y", "error")],
        "f": [check("x", "unavailable")],
    })
    assert hosts["a"] == {"status": "yes", "note": "", "checks": ["g/x", "g/y"]}
    assert hosts["b"]["status"] == "no"
    assert hosts["b"]["note"] == "n/a: b cannot call an async export: no API"
    assert (hosts["c"]["status"], hosts["c"]["note"]) == ("no", "g/x: no JSPI")
    assert (hosts["d"]["status"], hosts["d"]["note"]) == ("flag", "--flag")
    assert hosts["e"]["status"] == "partial" and hosts["e"]["failing"] == ["g/y"]
    assert hosts["f"]["status"] == "unknown"


def test_a_feature_no_check_proves_says_so():
    report = {"schema": SCHEMA, "started_at": "x", "hosts": [{"name": "a"}], "cells": []}
    t = feature_table(report)
    assert t["features"]["resources"]["hosts"]["a"]["status"] == "unchecked"
    md = to_markdown(t)
    assert "| [Resources](#resources) | · |" in md


def test_a_feature_tag_must_be_known(tmp_path):
    (tmp_path / "guest.toml").write_text('features = ["async-export"]\n[[check]]\n'
                                         'name = "x"\nkind = "cli"\n')
    with pytest.raises(UsageError, match="unknown feature 'async-export'"):
        load_guest(tmp_path)
    (tmp_path / "guest.toml").write_text('features = ["wasi-0.2-cli"]\n[[check]]\nname = "x"\n'
                                         'kind = "cli"\nfeatures = ["host-functions"]\n')
    assert load_guest(tmp_path).checks[0].features == ("wasi-0.2-cli", "host-functions")


def test_one_feature_vocabulary():
    """data/features.toml names the host.toml `component-model` features each feature
    needs, in the words host.toml, the manifest schema and the plan use."""
    from typing import get_args

    from wasmtui.features import feature_list
    from wasmtui.manifest import CMFeature
    from wasmtui.plan import COMPONENT_MODEL

    assert set(get_args(CMFeature)) == set(COMPONENT_MODEL)
    named = {n for f in feature_list().values() for n in f.get("component-model", [])}
    assert named and named <= set(COMPONENT_MODEL)
