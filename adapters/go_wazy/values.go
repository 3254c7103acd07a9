package main

// The value model (adapters/PROTOCOL.md, "Values") <-> wazy's component values, typed by
// the function's type tree. Mirrors src/wasmtui/values.py; the shared vectors in
// adapters/values/vectors.json hold both to the same answers (`adapter --vectors`).
//
// wazy's conventions (its component.Value documentation): records and tuples are []any
// in field order; a list of a fixed-width primitive lifts as the typed Go slice ([]byte,
// []uint32, []rune...) and lowers from either shape; variants are VariantValue{Disc,
// Payload}; enums the case index (uint32); flags a uint32 bit set; option<T> nil or the
// value (component.Some for some(v) where v can itself be none); results ResultValue;
// a map<K, V> a []any of []any{k, v} pairs; a resource handle its uint32 index.

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/samyfodil/wazy/component"
)

// kv and object: a JSON object whose keys keep their order (a record's fields, in WIT order).
type kv struct {
	Key   string
	Value any
}
type object []kv

func (o object) MarshalJSON() ([]byte, error) {
	out := []byte{'{'}
	for i, e := range o {
		if i > 0 {
			out = append(out, ',')
		}
		key, _ := json.Marshal(e.Key)
		val, err := marshal(e.Value)
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, key...), ':'), val...)
	}
	return append(out, '}'), nil
}

// marshal is json.Marshal without HTML escaping ("<" stays "<", as every other adapter writes it).
func marshal(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.b[:len(buf.b)-1], nil // Encode ends with a newline
}

type jsonBuffer struct{ b []byte }

func (j *jsonBuffer) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }

// kindOf is a type tree's kind: a primitive's name, or a compound's one key.
func kindOf(t any) string {
	switch t := t.(type) {
	case string:
		return t
	case map[string]any:
		for k := range t {
			return k
		}
	}
	return ""
}

func inner(t any) any { return t.(map[string]any)[kindOf(t)] }

// nullable: option<T> whose `some` is written {"some": v} (T an option, or a result with `_`).
func nullable(t any) bool {
	switch kindOf(t) {
	case "option":
		return true
	case "result":
		sides := inner(t).(map[string]any)
		return sides["ok"] == nil || sides["err"] == nil
	}
	return false
}

// inexpressible: a value the host has no way to write (the host's limit, reported as its
// refusal, never passed as something else).
type inexpressible struct{ why string }

func (e inexpressible) Error() string { return e.why }

// handle is a resource handle a scenario bound: wazy's index, and what DropResource needs.
type handle struct {
	index    uint32
	iface    string
	resource string
}

// handles: the scenario's bound handles by name (nil outside a scenario).
type handles map[string]*handle

func number(v any) (json.Number, error) {
	n, ok := v.(json.Number)
	if !ok {
		return "", fmt.Errorf("expected a number, got %T", v)
	}
	return n, nil
}

func intOf(v any, bits int) (int64, error) {
	n, err := number(v)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(n.String(), 10, bits)
}

func uintOf(v any, bits int) (uint64, error) {
	n, err := number(v)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(n.String(), 10, bits)
}

func floatOf(v any) (float64, error) {
	switch s := v.(type) {
	case string:
		switch s {
		case "nan":
			return math.NaN(), nil
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf("not a float: %q", s)
	}
	n, err := number(v)
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(n.String(), 64)
}

func caseIndex(names []any, name string) (int, error) {
	for i, n := range names {
		if first(n) == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no case %q", name)
}

// first is a variant case's or record field's name ([name, type]), or an enum case's.
func first(n any) string {
	if pair, ok := n.([]any); ok {
		return pair[0].(string)
	}
	return n.(string)
}

func onlyKey(v any) (string, any, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, fmt.Errorf("expected a one-key object, got %v", v)
	}
	for k, e := range m {
		return k, e, nil
	}
	return "", nil, nil
}

// toHost: canonical JSON -> the value wazy lowers as an argument of type t.
func toHost(t any, v any, bound handles) (any, error) {
	switch k := kindOf(t); k {
	case "bool":
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("expected a bool, got %v", v)
		}
		return b, nil
	case "s8", "s16", "s32", "s64": // wazy lowers s8..s32 from int32, s64 from int64
		bits := map[string]int{"s8": 8, "s16": 16, "s32": 32, "s64": 64}[k]
		n, err := intOf(v, bits)
		if k != "s64" {
			return int32(n), err
		}
		return n, err
	case "u8", "u16", "u32", "u64": // and u8..u32 from uint32, u64 from uint64
		bits := map[string]int{"u8": 8, "u16": 16, "u32": 32, "u64": 64}[k]
		n, err := uintOf(v, bits)
		if k != "u64" {
			return uint32(n), err
		}
		return n, err
	case "f32":
		f, err := floatOf(v)
		return float32(f), err
	case "f64":
		return floatOf(v)
	case "char":
		s, _ := v.(string)
		r := []rune(s)
		if len(r) != 1 {
			return nil, fmt.Errorf("expected one character, got %q", s)
		}
		return r[0], nil
	case "string":
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string, got %v", v)
		}
		return s, nil
	case "enum":
		i, err := caseIndex(inner(t).([]any), v.(string))
		return uint32(i), err
	case "flags":
		var bits uint32
		for _, name := range v.([]any) {
			i, err := caseIndex(inner(t).([]any), name.(string))
			if err != nil {
				return nil, err
			}
			bits |= 1 << uint(i)
		}
		return bits, nil
	case "list", "map":
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("expected an array, got %v", v)
		}
		elem := elementType(t)
		return eachToHost(items, func(int) any { return elem }, bound)
	case "tuple":
		items, ok := v.([]any)
		types := inner(t).([]any)
		if !ok || len(items) != len(types) {
			return nil, fmt.Errorf("expected %d tuple items, got %v", len(types), v)
		}
		return eachToHost(items, func(i int) any { return types[i] }, bound)
	case "record": // in field order, as wazy lowers a record
		fields := inner(t).([]any)
		record, _ := v.(map[string]any)
		items := make([]any, len(fields))
		for i, f := range fields {
			e, ok := record[first(f)]
			if !ok {
				return nil, fmt.Errorf("record field %q missing", first(f))
			}
			items[i] = e
		}
		return eachToHost(items, func(i int) any { return fields[i].([]any)[1] }, bound)
	case "variant":
		name, payload, err := onlyKey(v)
		if err != nil {
			return nil, err
		}
		cases := inner(t).([]any)
		i, err := caseIndex(cases, name)
		if err != nil {
			return nil, err
		}
		var p any
		if ct := cases[i].([]any)[1]; ct != nil {
			if p, err = toHost(ct, payload, bound); err != nil {
				return nil, err
			}
		}
		return component.VariantValue{Disc: uint32(i), Payload: p}, nil
	case "option":
		if v == nil {
			return nil, nil
		}
		if nullable(inner(t)) {
			payload, ok := v.(map[string]any)["some"]
			if !ok {
				return nil, fmt.Errorf("expected {\"some\": v}, got %v", v)
			}
			p, err := toHost(inner(t), payload, bound)
			if err != nil {
				return nil, err
			}
			return some(p, t)
		}
		return toHost(inner(t), v, bound)
	case "result":
		side, payload, err := onlyKey(v)
		if err != nil {
			return nil, err
		}
		var p any
		if st := inner(t).(map[string]any)[side]; st != nil {
			if p, err = toHost(st, payload, bound); err != nil {
				return nil, err
			}
		}
		return component.ResultValue{IsErr: side == "err", Payload: p}, nil
	case "stream":
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("expected an array for a stream, got %v", v)
		}
		host, err := eachToHost(items, func(int) any { return inner(t) }, bound)
		if err != nil {
			return nil, err
		}
		return newStream(inner(t), host)
	case "future":
		var value any
		if inner(t) != nil {
			var err error
			if value, err = toHost(inner(t), v, bound); err != nil {
				return nil, err
			}
		}
		return newFuture(inner(t), value)
	case "own", "borrow":
		name, _ := v.(map[string]any)["handle"].(string)
		h, ok := bound[name]
		if !ok {
			return nil, fmt.Errorf("no handle is bound as %q", name)
		}
		return h.index, nil
	default:
		return nil, fmt.Errorf("the Go adapter cannot pass a %s", k)
	}
}

// as: v as wazy's Go type T, or an error naming what came instead.
func as[T any](v any) (T, error) {
	x, ok := v.(T)
	if !ok {
		return x, fmt.Errorf("expected a %T, got %T", x, v)
	}
	return x, nil
}

// elementType: the type of a list's or a map's items (a map's are [key, value] tuples).
func elementType(t any) any {
	if kindOf(t) == "map" {
		return map[string]any{"tuple": inner(t)}
	}
	return inner(t)
}

// eachToHost: items converted one by one, item i by typeAt(i).
func eachToHost(items []any, typeAt func(int) any, bound handles) ([]any, error) {
	out := make([]any, len(items))
	for i, e := range items {
		var err error
		if out[i], err = toHost(typeAt(i), e, bound); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eachFromHost: items read back one by one, item i by typeAt(i), at path[i].
func eachFromHost(items []any, typeAt func(int) any, path string,
	from func(t, e any, p string) (any, error)) ([]any, error) {
	out := make([]any, len(items))
	for i, e := range items {
		var err error
		if out[i], err = from(typeAt(i), e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// f32JSON: the shortest decimal that round-trips through f32 (0.1, not 0.10000000149011612).
func f32JSON(f float32) any {
	if s := specialFloat(float64(f)); s != nil {
		return s
	}
	shortest, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	return shortest
}

func specialFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return nil
}

// elements reads a list as wazy lifts it: a typed slice ([]byte, []uint32...) or []any.
func elements(v any) ([]any, error) {
	if items, ok := v.([]any); ok {
		return items, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, fmt.Errorf("expected a list, got %T", v)
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}

func integer(v any) (json.Number, error) {
	switch n := v.(type) {
	case int8, int16, int32, int64, int:
		return json.Number(strconv.FormatInt(reflect.ValueOf(n).Int(), 10)), nil
	case uint8, uint16, uint32, uint64, uint:
		return json.Number(strconv.FormatUint(reflect.ValueOf(n).Uint(), 10)), nil
	}
	return "", fmt.Errorf("expected an integer, got %T", v)
}

// fromHost: a wazy value of type t -> canonical JSON. A handle is bound in `bound` under
// its step's bind and its path in the result (`c[1]`, `r.ok`), as values.py names it.
// iface: the interface of the call whose result this is (a returned handle's, for its drop).
func fromHost(t any, v any, bound handles, bind, path, iface string) (any, error) {
	from := func(t any, e any, p string) (any, error) { return fromHost(t, e, bound, bind, p, iface) }
	switch k := kindOf(t); k {
	case "bool":
		b, err := as[bool](v)
		return b, err
	case "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64":
		return integer(v)
	case "f32":
		f, err := as[float32](v)
		if err != nil {
			return nil, err
		}
		return f32JSON(f), nil
	case "f64":
		f, err := as[float64](v)
		if err != nil {
			return nil, err
		}
		if s := specialFloat(f); s != nil {
			return s, nil
		}
		return f, nil
	case "char":
		r, err := as[rune](v)
		return string(r), err
	case "string":
		text, err := as[string](v)
		return text, err
	case "enum":
		i, ok := v.(uint32)
		names := inner(t).([]any)
		if !ok || int(i) >= len(names) {
			return nil, fmt.Errorf("not a case of %v: %v", names, v)
		}
		return names[i], nil
	case "flags":
		bits, ok := v.(uint32)
		if !ok {
			return nil, fmt.Errorf("expected flags as a uint32, got %T", v)
		}
		out := []any{}
		for i, name := range inner(t).([]any) {
			if bits&(1<<uint(i)) != 0 {
				out = append(out, name)
			}
		}
		return out, nil
	case "list", "map":
		items, err := elements(v)
		if err != nil {
			return nil, err
		}
		elem := elementType(t)
		return eachFromHost(items, func(int) any { return elem }, path, from)
	case "tuple":
		items, err := elements(v)
		if err != nil {
			return nil, err
		}
		types := inner(t).([]any)
		if len(items) != len(types) {
			return nil, fmt.Errorf("expected %d tuple items, got %d", len(types), len(items))
		}
		return eachFromHost(items, func(i int) any { return types[i] }, path, from)
	case "record":
		items, err := elements(v)
		if err != nil {
			return nil, err
		}
		fields := inner(t).([]any)
		if len(items) != len(fields) {
			return nil, fmt.Errorf("expected %d record fields, got %d", len(fields), len(items))
		}
		out := object{}
		for i, f := range fields {
			name := f.([]any)[0].(string)
			e, err := from(f.([]any)[1], items[i], path+"."+name)
			if err != nil {
				return nil, err
			}
			out = append(out, kv{name, e})
		}
		return out, nil
	case "variant":
		vv, ok := v.(component.VariantValue)
		cases := inner(t).([]any)
		if !ok || int(vv.Disc) >= len(cases) {
			return nil, fmt.Errorf("not a variant of %v: %#v", cases, v)
		}
		c := cases[vv.Disc].([]any)
		name := c[0].(string)
		var p any
		if c[1] != nil {
			var err error
			if p, err = from(c[1], vv.Payload, path+"."+name); err != nil {
				return nil, err
			}
		}
		return object{{name, p}}, nil
	case "option":
		if v == nil {
			return nil, nil
		}
		some := nullable(inner(t))
		v = unwrapSome(v)
		if !some {
			return from(inner(t), v, path)
		}
		p, err := from(inner(t), v, path+".some")
		return object{{"some", p}}, err
	case "result":
		rv, ok := v.(component.ResultValue)
		if !ok {
			return nil, fmt.Errorf("expected a ResultValue, got %T", v)
		}
		side := "ok"
		if rv.IsErr {
			side = "err"
		}
		var p any
		if st := inner(t).(map[string]any)[side]; st != nil {
			var err error
			if p, err = from(st, rv.Payload, path+"."+side); err != nil {
				return nil, err
			}
		}
		return object{{side, p}}, nil
	case "stream":
		items, err := readStream(v)
		if err != nil {
			return nil, err
		}
		return from(map[string]any{"list": inner(t)}, items, path)
	case "future":
		value, err := readFuture(v)
		if err != nil || inner(t) == nil {
			return nil, err
		}
		return from(inner(t), value, path)
	case "own", "borrow":
		index, ok := v.(uint32)
		if !ok {
			return nil, fmt.Errorf("expected a handle (uint32), got %T", v)
		}
		if bound == nil {
			return nil, fmt.Errorf("a handle came back outside a scenario")
		}
		resource := inner(t).(string)
		bound[bind+path] = &handle{index: index, iface: iface, resource: resource}
		return object{{"handle", bind + path}, {"resource", resource}}, nil
	default:
		return nil, fmt.Errorf("the Go adapter cannot read a %s", k)
	}
}
