// resources_rust's construct-and-call by hand on wazy, for benchmarks/bench_scenarios.py
// (which builds it against the wazy adapters/go_wazy pins).
// Usage: scenario COMPONENT.wasm INTERFACE COMPILATION-CACHE-DIR
package main

import (
	"context"
	"os"

	"github.com/samyfodil/wazy"
	"github.com/samyfodil/wazy/component"
)

func main() {
	ctx := context.Background()
	file, iface, compiled := os.Args[1], os.Args[2], os.Args[3]
	cache, err := wazy.NewCompilationCacheWithDir(compiled)
	if err != nil {
		panic(err)
	}
	r := wazy.NewRuntimeWithConfig(ctx, wazy.NewRuntimeConfig().WithCompilationCache(cache))
	data, err := os.ReadFile(file)
	if err != nil {
		panic(err)
	}
	inst, err := component.Instantiate(ctx, r, data)
	if err != nil {
		panic(err)
	}
	call := func(name string, args ...any) any {
		out, err := inst.Call(ctx, iface+"#"+name, args...)
		if err != nil {
			panic(err)
		}
		return out[0]
	}
	c := call("[constructor]counter", uint32(5)).(uint32)
	if call("[method]counter.incr", c, uint32(2)) != uint32(7) || call("[method]counter.get", c) != uint32(7) {
		panic("wrong answer")
	}
	if err := inst.DropResource(ctx, iface, "counter", c); err != nil {
		panic(err)
	}
	if call("drops") != uint32(1) {
		panic("wrong drops")
	}
}
