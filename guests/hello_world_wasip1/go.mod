module wasmtui.example/hello_world_wasip1

go 1.24
