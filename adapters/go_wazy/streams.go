//go:build !wazy_pre08

package main

// Streams and futures an export returns (PROTOCOL.md, invoke): read to their end on the
// instance's scheduler, between calls. wazy 0.8 hands them over as *StreamReader and
// *FutureReader; a Read or Get completes by its callback, from inside the call, once
// the guest's task has written (wazy settles the scheduler before it returns). A read
// that did not complete there is a guest waiting on nothing this host will do: the
// check's timeout ends it, as any hang.

import (
	"fmt"
	"time"

	"github.com/samyfodil/wazy/component"
)

const (
	streamChunk = 256   // items asked for per read, as the JavaScript adapter reads
	streamCap   = 65536 // items kept; the rest are read and dropped (`value_truncated`)
)

// readStream: every item of a stream result, as wazy lifts them.
func readStream(v any) ([]any, error) {
	r, ok := v.(*component.StreamReader)
	if !ok {
		return nil, fmt.Errorf("expected a *StreamReader, got %T", v)
	}
	items := []any{}
	for done := false; !done; {
		fired := false
		r.Read(streamChunk, func(res component.CopyResult, vals []any) {
			fired = true
			for _, v := range vals {
				if len(items) < streamCap {
					items = append(items, v)
				} else {
					truncated = true
				}
			}
			done = res == component.CopyDropped
		})
		for !fired { // the guest never wrote: wait for the core's timeout
			time.Sleep(time.Hour)
		}
	}
	return items, nil
}

// readFuture: the value a future result resolves to.
func readFuture(v any) (any, error) {
	r, ok := v.(*component.FutureReader)
	if !ok {
		return nil, fmt.Errorf("expected a *FutureReader, got %T", v)
	}
	var value any
	fired, dropped := false, false
	r.Get(func(res component.CopyResult, v any) {
		fired, value, dropped = true, v, res == component.CopyDropped
	})
	for !fired {
		time.Sleep(time.Hour)
	}
	if dropped && value == nil {
		return nil, fmt.Errorf("the future was dropped without a value")
	}
	return value, nil
}

// elementDesc: a stream's or future's item type as wazy declares one; the adapter
// builds streams of primitive items (the value model's numbers, chars, strings, bools).
func elementDesc(t any) (component.TypeDesc, error) {
	if name, ok := t.(string); ok {
		return component.PrimitiveDesc{Prim: name}, nil
	}
	return nil, inexpressible{fmt.Sprintf("the Go adapter builds streams and futures of primitive items only, not of %s", canonicalText(t))}
}

// newStream: a stream argument that carries items, then ends (the guest reads it during
// the call; a write the guest takes in part goes on with the rest).
func newStream(elem any, items []any) (any, error) {
	desc, err := elementDesc(elem)
	if err != nil {
		return nil, err
	}
	w, value, err := instance.NewStream(desc)
	if err != nil {
		return nil, err
	}
	var write func(rest []any)
	write = func(rest []any) {
		if len(rest) == 0 {
			w.Close()
			return
		}
		w.Write(rest, func(res component.CopyResult, n uint32) {
			if res != component.CopyDropped {
				write(rest[n:])
			}
		})
	}
	write(items)
	return value, nil
}

// newFuture: a future argument that resolves to value when the guest reads it.
func newFuture(elem any, value any) (any, error) {
	var desc component.TypeDesc
	if elem != nil {
		var err error
		if desc, err = elementDesc(elem); err != nil {
			return nil, err
		}
	}
	w, handle, err := instance.NewFuture(desc)
	if err != nil {
		return nil, err
	}
	w.Set(value, func(component.CopyResult) {})
	return handle, nil
}
