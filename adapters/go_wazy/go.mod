module wasmtui/adapters/go_wazy

go 1.25.0

require (
	github.com/samyfodil/wazy v0.8.0
	golang.org/x/text v0.33.0
)

require golang.org/x/sys v0.44.0 // indirect
