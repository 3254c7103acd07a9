package main

// Host functions typed as the component imports them (the request's
// host_function_types, from the core's inspection; adapters/PROTOCOL.md, invoke): wazy
// checks an import's declared type against the component's, so a builtin declared as
// a fixed func(string) -> string was refused ("signature mismatch") for any other
// import, and the host was blamed.

import (
	"context"
	"fmt"
	"strings"

	"github.com/samyfodil/wazy/component"
)

// typeRef: a value-model type tree as wazy declares it, interned in tbl.
func typeRef(tbl *component.TypeTable, t any) (component.TypeRef, error) {
	if t == nil {
		return component.TypeRef{}, nil
	}
	if name, ok := t.(string); ok {
		return component.Prim(name), nil
	}
	body := inner(t)
	switch kindOf(t) {
	case "list", "option":
		elem, err := typeRef(tbl, body)
		if err != nil {
			return elem, err
		}
		if kindOf(t) == "list" {
			return tbl.List(elem), nil
		}
		return tbl.Option(elem), nil
	case "result":
		sides := body.(map[string]any)
		ok, err := typeRef(tbl, sides["ok"])
		if err != nil {
			return ok, err
		}
		bad, err := typeRef(tbl, sides["err"])
		return tbl.Result(ok, bad), err
	case "tuple":
		elems := []component.TypeRef{}
		for _, e := range asList(body) {
			ref, err := typeRef(tbl, e)
			if err != nil {
				return ref, err
			}
			elems = append(elems, ref)
		}
		return tbl.Tuple(elems...), nil
	case "record":
		pairs := []any{}
		for _, f := range asList(body) {
			field := asList(f)
			ref, err := typeRef(tbl, field[1])
			if err != nil {
				return ref, err
			}
			pairs = append(pairs, fmt.Sprint(field[0]), ref)
		}
		return tbl.Record(pairs...), nil
	case "variant":
		cases := []component.VariantCaseSpec{}
		for _, c := range asList(body) {
			pair := asList(c)
			ref, err := typeRef(tbl, pair[1])
			if err != nil {
				return ref, err
			}
			cases = append(cases, component.VariantCaseSpec{Name: fmt.Sprint(pair[0]), Type: ref})
		}
		return tbl.Variant(cases...), nil
	case "enum", "flags":
		names := strs(body)
		if kindOf(t) == "enum" {
			return tbl.Enum(names...), nil
		}
		return tbl.Flags(names...), nil
	}
	return component.TypeRef{}, inexpressible{fmt.Sprintf("the Go adapter declares no host function of a %s", canonicalText(t))}
}

// hostFunction: a builtin as wazy's host implementation of the import `name` whose
// signature (the value model's) the component declares.
func hostFunction(name, builtin string, sig map[string]any) (component.Option, error) {
	dot := strings.LastIndex(name, ".")
	iface, fn := name[:max(dot, 0)], name[dot+1:]
	tbl := component.NewTypeTable()
	params := []component.TypeRef{}
	for _, p := range asList(sig["params"]) {
		ref, err := typeRef(tbl, asList(p)[1])
		if err != nil {
			return nil, err
		}
		params = append(params, ref)
	}
	result, err := typeRef(tbl, sig["result"])
	if err != nil {
		return nil, err
	}
	impl := func(_ context.Context, args []component.Value) ([]component.Value, error) {
		return applyBuiltin(builtin, args)
	}
	return component.WithImportCustom(iface, fn, impl, tbl.Func(params, result), tbl.Resolver()), nil
}

// applyBuiltin: `identity` gives back its argument as it is; the others take one string.
func applyBuiltin(builtin string, args []component.Value) ([]component.Value, error) {
	if builtin == "identity" && len(args) == 1 {
		return args, nil
	}
	s, ok := args[0].(string)
	if len(args) != 1 || !ok {
		return nil, fmt.Errorf("the builtin host function %s takes one string, not %d argument(s) of Go type %T", builtin, len(args), args[0])
	}
	return []component.Value{builtins[builtin](s)}, nil
}
