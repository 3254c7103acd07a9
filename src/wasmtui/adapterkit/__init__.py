"""What every adapter written in Python shares, whatever its host (adapters/PROTOCOL.md):
the protocol's loop and output rules (protocol), the outcome rule (outcomes), running a
host process with streamed output (process), serving an HTTP check (serving,
http_check) and the network namespace (netns). The adapters run under wasmtui's own
interpreter, so they import it as `wasmtui.adapterkit`; the core never imports it."""
