"""WAVE (the WebAssembly Value Encoding `wasmtime run --invoke` speaks) to and from JSON.

Arguments go out as WAVE literals; the printed result comes back as JSON values:
strings, chars, numbers, bools, lists, tuples (as lists), records (as objects),
`some(x)`/`none` (x or null), `ok(x)`/`err(x)` ({"ok": x} / {"err": x}), enum and
variant cases (their name, or {"case": payload}), flags (a list of names).
"""

from __future__ import annotations

import json
import re
from typing import Any

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


def encode(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ch == "\r":
                out.append("\\r")
            elif ord(ch) < 0x20:
                out.append(f"\\u{{{ord(ch):x}}}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(encode(v) for v in value) + "]"
    if value is None:
        return "none"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {encode(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot encode {value!r} as WAVE")


class WaveError(ValueError):
    pass


class _Parser:
    _TOKEN = re.compile(r"\s*(-?(?:inf|nan|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|[A-Za-z%][\w-]*|.)")

    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0

    def _ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def _peek(self) -> str:
        self._ws()
        return self.s[self.i] if self.i < len(self.s) else ""

    def _expect(self, ch: str) -> None:
        if self._peek() != ch:
            raise WaveError(f"expected {ch!r} at {self.i} in {self.s!r}")
        self.i += 1

    def _quoted(self, quote: str) -> str:
        self._expect(quote)
        out = []
        while self.i < len(self.s):
            ch = self.s[self.i]
            self.i += 1
            if ch == quote:
                return "".join(out)
            if ch == "\\":
                esc = self.s[self.i]
                self.i += 1
                if esc == "u":
                    end = self.s.index("}", self.i)
                    out.append(chr(int(self.s[self.i + 1 : end], 16)))
                    self.i = end + 1
                else:
                    out.append(_ESCAPES.get(esc, esc))
            else:
                out.append(ch)
        raise WaveError(f"unterminated literal in {self.s!r}")

    def _seq(self, close: str) -> list[Any]:
        items = []
        while self._peek() != close:
            items.append(self.value())
            if self._peek() == ",":
                self.i += 1
        self.i += 1
        return items

    def value(self) -> Any:
        ch = self._peek()
        if ch == '"':
            return self._quoted('"')
        if ch == "'":
            return self._quoted("'")
        if ch in "[(":
            self.i += 1
            return self._seq("]" if ch == "[" else ")")
        if ch == "{":
            return self._record_or_flags()
        m = self._TOKEN.match(self.s, self.i)
        if not m:
            raise WaveError(f"unexpected end of {self.s!r}")
        tok = m.group(1)
        self.i = m.end()
        if re.fullmatch(r"-?\d+", tok):
            return int(tok)
        if re.fullmatch(r"-?(inf|nan|\d+(\.\d+)?([eE][+-]?\d+)?)", tok):
            return float(tok)
        if tok in ("true", "false"):
            return tok == "true"
        if tok == "none":
            return None
        payload = None
        has_payload = self._peek() == "("
        if has_payload:
            self.i += 1
            payload = self.value()
            self._expect(")")
        if tok == "some":
            return payload
        if tok in ("ok", "err"):
            return {tok: payload}
        return {tok: payload} if has_payload else tok

    def _record_or_flags(self) -> Any:
        self._expect("{")
        fields: dict[str, Any] = {}
        flags: list[str] = []
        while self._peek() != "}":
            m = self._TOKEN.match(self.s, self.i)
            name = m.group(1) if m else ""
            self.i = m.end() if m else self.i
            if self._peek() == ":":
                self.i += 1
                fields[name] = self.value()
            else:
                flags.append(name)
            if self._peek() == ",":
                self.i += 1
        self.i += 1
        return flags if flags and not fields else fields


def decode(text: str) -> Any:
    """Parse one WAVE value; raise WaveError when it isn't one."""
    p = _Parser(text.strip())
    value = p.value()
    if p._peek():
        raise WaveError(f"trailing text after the value in {text!r}")
    return value


if __name__ == "__main__":  # a quick manual check: python wave_values.py '"HELLO"'
    import sys

    print(json.dumps(decode(sys.argv[1])))
