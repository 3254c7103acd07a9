//go:build !wazy_pre08

package main

// What wazy 0.8 has and earlier releases lack (compat_pre08.go, built with -tags
// wazy_pre08 by toolchain/build-go when a release does not build without it).

import (
	"github.com/samyfodil/wazy/component"
	"github.com/samyfodil/wazy/imports/wasip2"
)

// some: some(v) of an option whose payload can itself be none (component.Some).
func some(v any, _ any) (any, error) { return component.Some{Value: v}, nil }

func unwrapSome(v any) any {
	if s, ok := v.(component.Some); ok {
		return s.Value
	}
	return v
}

// capResponses: a guest's HTTP response body is buffered whole in wazy; cap it at 64 MiB.
func capResponses(cfg *wasip2.Config) { cfg.MaxResponseBytes = 64 << 20 }
