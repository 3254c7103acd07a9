//go:build wazy_pre08

package main

// wazy before 0.8 (compat.go and streams.go have 0.8's): no component.Some, so some(v)
// of an option whose payload can itself be none cannot be written (refused by name); no
// host ends of streams and futures (StreamReader, CopyResult...), so none is read or
// written (refused by name); and no cap on a guest's HTTP response body.

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

func noStreams() error {
	return inexpressible{"this wazy release has no host ends of streams and futures (component.StreamReader is new in 0.8)"}
}

func readStream(any) ([]any, error)     { return nil, noStreams() }
func readFuture(any) (any, error)       { return nil, noStreams() }
func newStream(any, []any) (any, error) { return nil, noStreams() }
func newFuture(any, any) (any, error)   { return nil, noStreams() }
