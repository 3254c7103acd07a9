//go:build wazy_pre08

package main

// wazy before 0.8 (compat.go has 0.8's): no component.Some, so some(v) of an option whose
// payload can itself be none cannot be written (refused by name), and no cap on a
// guest's HTTP response body.

import (
	"fmt"

	"github.com/samyfodil/wazy/imports/wasip2"
)

func some(v any, t any) (any, error) {
	if v == nil {
		return nil, inexpressible{fmt.Sprintf("this wazy release cannot pass some(none) of %v: it has no component.Some", canonicalText(t))}
	}
	return v, nil
}

func unwrapSome(v any) any { return v }

func capResponses(*wasip2.Config) {}
