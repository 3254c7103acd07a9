package main

// The shared vectors, in the Go adapter's own code: the value model
// (adapters/values/vectors.json: every canonical value must come back unchanged from its
// wazy form, and named handles as the same handles under the same names), the outcome
// rule (adapters/outcomes/vectors.json), the builtin host functions
// (adapters/builtins/vectors.json) and the output rules (adapters/output/vectors.json,
// one JSON line per case for tests/test_go.py to compare). Run as `adapter --vectors
// ADAPTERS_DIR` and `adapter --output-vectors ADAPTERS_DIR`.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

func readVectors(dir, name string) map[string]any {
	text, err := os.ReadFile(filepath.Join(dir, name, "vectors.json"))
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	v, err := decode(text)
	if err != nil {
		fmt.Println(name, err)
		os.Exit(2)
	}
	return v
}

// notConverted: kinds read or made on a live instance only (streams.go), not here.
func notConverted(t any) bool {
	switch t := t.(type) {
	case map[string]any:
		for k, e := range t {
			if k == "stream" || k == "future" || notConverted(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if notConverted(e) {
				return true
			}
		}
	}
	return false
}

func canonicalText(v any) string {
	b, _ := marshal(v)
	return string(b)
}

// sameValue: two JSON values alike once parsed, numbers compared by value (16777216.0 is
// 16777216) and exactly (big.Float, so u64's range is not rounded).
func sameValue(a, b any) bool {
	x, _ := decode([]byte(`{"v":` + canonicalText(a) + `}`))
	y, _ := decode([]byte(`{"v":` + canonicalText(b) + `}`))
	return equalTrees(x["v"], y["v"])
}

func equalTrees(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		n, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, _, e1 := big.ParseFloat(a.String(), 10, 200, big.ToNearestEven)
		y, _, e2 := big.ParseFloat(n.String(), 10, 200, big.ToNearestEven)
		return e1 == nil && e2 == nil && x.Cmp(y) == 0
	case map[string]any:
		m, ok := b.(map[string]any)
		if !ok || len(m) != len(a) {
			return false
		}
		for k, e := range a {
			if f, ok := m[k]; !ok || !equalTrees(e, f) {
				return false
			}
		}
		return true
	case []any:
		l, ok := b.([]any)
		if !ok || len(l) != len(a) {
			return false
		}
		for i := range a {
			if !equalTrees(a[i], l[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func namesIn(v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["handle"].(string); ok {
			if _, ok := v["resource"]; ok {
				*out = append(*out, name)
				return
			}
		}
		for _, e := range v {
			namesIn(e, out)
		}
	case []any:
		for _, e := range v {
			namesIn(e, out)
		}
	}
}

func runVectors(dir string) int {
	values := readVectors(dir, "values")
	failures, skipped, total := 0, 0, 0
	for _, c := range asList(values["roundtrip"]) {
		v := asMap(c)
		total++
		if notConverted(v["type"]) {
			skipped++
			continue
		}
		host, err := toHost(v["type"], v["value"], nil)
		var back any
		if err == nil {
			back, err = fromHost(v["type"], host, nil, "", "", "")
		}
		if err != nil || !sameValue(back, v["value"]) {
			failures++
			fmt.Printf("%s: %s came back as %s (%v)\n", canonicalText(v["type"]), canonicalText(v["value"]), canonicalText(back), err)
		}
	}
	fmt.Printf("%d/%d round trips (%d with streams or futures: read on a live instance only)\n",
		total-skipped-failures, total-skipped, skipped)
	for _, c := range asList(values["handles"]) {
		v := asMap(c)
		var names []string
		namesIn(v["value"], &names)
		bound := handles{}
		for i, n := range names {
			bound[n] = &handle{index: uint32(100 + i)}
		}
		back := handles{}
		bind, _ := v["bind"].(string)
		host, err := toHost(v["type"], v["value"], bound)
		var got any
		if err == nil {
			got, err = fromHost(v["type"], host, back, bind, "", "")
		}
		same := len(back) == len(bound)
		for n, h := range bound {
			same = same && back[n] != nil && back[n].index == h.index
		}
		if err != nil || !same || !sameValue(got, v["value"]) {
			failures++
			fmt.Printf("%s bound as %s: %s came back as %s (%v)\n", canonicalText(v["type"]), bind,
				canonicalText(v["value"]), canonicalText(got), err)
		}
	}
	fmt.Printf("%d handle cases\n", len(asList(values["handles"])))
	cases := asList(readVectors(dir, "outcomes")["cases"])
	for _, c := range cases {
		v := asMap(c)
		signal, _ := v["signal"].(string)
		got := outcomeOf(fmt.Sprint(v["error"]), v["started"] == true, signal)
		if got != v["outcome"] {
			failures++
			fmt.Printf("outcome of %s: %s, not %s\n", canonicalText(v), got, v["outcome"])
		}
	}
	fmt.Printf("%d outcome cases\n", len(cases))
	builtinCases := asList(readVectors(dir, "builtins")["cases"])
	for _, c := range builtinCases {
		v := asMap(c)
		if got := builtins[fmt.Sprint(v["builtin"])](fmt.Sprint(v["input"])); got != v["output"] {
			failures++
			fmt.Printf("%s(%q): %q, not %q\n", v["builtin"], v["input"], got, v["output"])
		}
	}
	fmt.Printf("%d builtin host function cases\n", len(builtinCases))
	if failures > 0 {
		return 1
	}
	return 0
}

// expand: an output vector's item as bytes (a string, {"hex"}, or {"text","repeat","suffix"}).
func expand(item any) []byte {
	if s, ok := item.(string); ok {
		return []byte(s)
	}
	m := asMap(item)
	if h, ok := m["hex"].(string); ok {
		b, _ := hex.DecodeString(h)
		return b
	}
	n, _ := intOf(m["repeat"], 64)
	suffix, _ := m["suffix"].(string)
	return []byte(strings.Repeat(fmt.Sprint(m["text"]), int(n)) + suffix)
}

func runOutputVectors(dir string) int {
	for _, c := range asList(readVectors(dir, "output")["cases"]) {
		v := asMap(c)
		var lines []string
		out := newOutputStream("stdout", func(_ string, l []string) { lines = append(lines, l...) })
		for _, chunk := range asList(v["chunks"]) {
			out.Write(expand(chunk))
		}
		out.close()
		res := result{}
		out.capture(res)
		truncated, _ := res["stdout_truncated"].(bool)
		if lines == nil {
			lines = []string{}
		}
		line, _ := marshal(map[string]any{"name": v["name"], "lines": lines,
			"captured": res["stdout"], "truncated": truncated})
		fmt.Println(string(line))
	}
	return 0
}
