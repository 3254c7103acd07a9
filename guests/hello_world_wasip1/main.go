// Command hello_world_wasip1 prints the seed's greeting as wasi_cli_rust does
// (`hello_world_wasip1 NAME UP`), built by Go for GOOS=wasip1: a WASI preview1 core
// module, not a component.
package main

import (
	"fmt"
	"os"
	"strings"
)

// greet returns "Hello, NAME", uppercased when up.
func greet(name string, up bool) string {
	text := "Hello, " + name
	if up {
		return strings.ToUpper(text)
	}
	return text
}

func main() {
	name, up := "world", false
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	if len(os.Args) > 2 {
		up = os.Args[2] == "true"
	}
	fmt.Println(greet(name, up))
}
