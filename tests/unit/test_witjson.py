"""wit-parser's JSON (what `wasm-tools component wit --json` prints) as the value model's
type trees, from a hand-made Resolve: the shapes inspect's wasmtime-py route gives."""

from __future__ import annotations

from wasmtui.witjson import interfaces

RESOLVE = {
    "worlds": [{"name": "root", "package": 1, "imports": {
        "interface-0": {"interface": {"id": 0}}},
        "exports": {
            "interface-1": {"interface": {"id": 1}},
            "lists": {"interface": {"id": 2}},
            "answer": {"function": {"name": "answer", "kind": "freestanding",
                                    "params": [], "result": "u32"}},
            "later": {"function": {"name": "later", "kind": "async-freestanding",
                                   "params": [], "result": "u32"}}}}],
    "interfaces": [
        {"name": "stdout", "package": 0, "types": {}, "functions": {}},
        {"name": "api", "package": 1, "types": {"counter": 0, "point": 2},
         "functions": {
             "[constructor]counter": {"name": "[constructor]counter", "kind": {"constructor": 0},
                                      "params": [{"name": "start", "type": "u32"}],
                                      "result": 1},
             "shape": {"name": "shape", "kind": "freestanding",
                       "params": [{"name": "p", "type": 2}, {"name": "f", "type": 4}],
                       "result": 3}}},
        {"name": None, "package": None, "types": {}, "functions": {
            "foo": {"name": "foo", "kind": "freestanding",
                    "params": [{"name": "a", "type": 5}], "result": None}}},
    ],
    "types": [
        {"name": "counter", "kind": "resource"},
        {"name": None, "kind": {"handle": {"own": 0}}},
        {"name": "point", "kind": {"record": {"fields": [{"name": "x", "type": "s32"},
                                                         {"name": "y", "type": "f64"}]}}},
        {"name": None, "kind": {"result": {"ok": 6, "err": None}}},
        {"name": "perm", "kind": {"flags": {"flags": [{"name": "read"}, {"name": "write"}]}}},
        {"name": None, "kind": {"list": "string"}},
        {"name": None, "kind": {"variant": {"cases": [{"name": "a", "type": None},
                                                      {"name": "b", "type": 7}]}}},
        {"name": None, "kind": {"stream": "u8"}},
    ],
    "packages": [{"name": "wasi:cli@0.2.6"}, {"name": "my:pkg"}],
}


def test_names_and_types_as_the_value_model_writes_them():
    imports, exports = interfaces(RESOLVE)
    assert [i.name for i in imports] == ["wasi:cli/stdout@0.2.6"]
    by_name = {e.name: e for e in exports}
    assert sorted(by_name) == ["answer", "later", "lists", "my:pkg/api"]
    assert by_name["answer"].signatures["answer"] == {"params": [], "result": "u32"}
    assert by_name["later"].signatures["later"] == {"params": [], "result": "u32",
                                                    "async": True}
    assert by_name["later"].functions["later"] == "async func() -> u32"
    assert by_name["lists"].signatures["foo"] == {"params": [["a", {"list": "string"}]],
                                                  "result": None}
    api = by_name["my:pkg/api"]
    assert api.functions["counter"] == "resource"
    assert api.signatures["[constructor]counter"]["result"] == {"own": "counter"}
    assert api.signatures["shape"] == {
        "params": [["p", {"record": [["x", "s32"], ["y", "f64"]]}],
                   ["f", {"flags": ["read", "write"]}]],
        "result": {"result": {"ok": {"variant": [["a", None], ["b", {"stream": "u8"}]]},
                              "err": None}}}
    assert api.functions["shape"].startswith("func(p: record { x: s32, y: f64 }")
