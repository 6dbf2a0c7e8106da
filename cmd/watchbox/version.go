package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/watchbox/watchbox/abi"
)

// version is watchbox's release version, set at link time with
// -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func versionCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintln(stderr, "watchbox version: takes no arguments")
		return exitUsage
	}
	wazero := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				wazero = d.Version
			}
		}
	}
	if *asJSON {
		writeJSON(stdout, map[string]any{"watchbox": version, "abi": abi.Version, "go": runtime.Version(), "wazero": wazero})
		return exitOK
	}
	fmt.Fprintf(stdout, "watchbox %s (ABI v%d, %s, wazero %s)\n", version, abi.Version, runtime.Version(), wazero)
	return exitOK
}
