package main

import (
	"context"
	"fmt"
	"io"

	"github.com/watchbox/watchbox/host/inspect"
)

func inspectCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return inspectOrBuild(ctx, "inspect", args, stdout, stderr)
}

func buildCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return inspectOrBuild(ctx, "build", args, stdout, stderr)
}

// inspectOrBuild implements both commands: build reports the build and any
// problem; inspect adds the manifest, imports and exports.
func inspectOrBuild(ctx context.Context, name string, args []string, stdout, stderr io.Writer) int {
	what := "BUNDLE|FILE.wasm"
	if name == "build" {
		what = "BUNDLE"
	}
	fs := newFlags(name, what, stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	cacheDir := fs.String("cache", "", "cache directory (default: the user cache dir + /watchbox)")
	rebuild := fs.Bool("rebuild", false, "build Go sources even when the build cache has them")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "watchbox %s: expected one argument: %s\n", name, what)
		return exitUsage
	}
	rep, err := inspect.Path(ctx, pos[0], inspect.Options{CacheDir: *cacheDir, Rebuild: *rebuild})
	if err != nil {
		fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
		return exitError
	}
	if name == "build" && rep.OK() && rep.Build == nil {
		fmt.Fprintf(stderr, "watchbox build: %s is a module file, not a bundle; nothing to build (use watchbox inspect)\n", pos[0])
		return exitUsage
	}
	if rep.Build != nil && !*asJSON {
		for _, w := range rep.Build.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
	}
	if *asJSON {
		writeJSON(stdout, rep)
	} else if name == "build" {
		printBuild(stdout, rep)
	} else {
		printReport(stdout, rep)
	}
	if !rep.OK() {
		if !*asJSON {
			for _, p := range rep.Problems {
				fmt.Fprintf(stderr, "problem: %s\n", p)
			}
		}
		return exitInvalid
	}
	return exitOK
}

func printBuild(w io.Writer, rep *inspect.Report) {
	b := rep.Build
	if b == nil {
		return
	}
	how := "built"
	switch {
	case b.Prebuilt:
		how = "prebuilt"
	case b.Cached:
		how = "cached"
	}
	fmt.Fprintf(w, "%s: %s (%s, %d bytes, %s)\n", rep.Path, b.Path, how, b.Size, ms(b.Duration))
}

func printReport(w io.Writer, rep *inspect.Report) {
	fmt.Fprintf(w, "path:        %s\n", rep.Path)
	if m := rep.Manifest; m != nil {
		fmt.Fprintf(w, "bundle id:   %s\n", m.BundleIdentifier)
		fmt.Fprintf(w, "name:        %s\n", m.DisplayName)
		fmt.Fprintf(w, "modes:       %v\n", m.BackgroundModes)
		fmt.Fprintf(w, "complication %v, memory limit %v, data quota %v, allowed hosts %v\n",
			m.Complication, m.MemoryLimit, m.DataQuota, m.AllowedHosts)
	}
	if b := rep.Build; b != nil {
		fmt.Fprintf(w, "module:      %s (%d bytes, sha256 %.12s)\n", b.Path, b.Size, b.Hash)
	}
	if rep.ABIVersion > 0 {
		fmt.Fprintf(w, "abi:         v%d\n", rep.ABIVersion)
	} else {
		fmt.Fprintf(w, "abi:         none declared\n")
	}
	if len(rep.Imports) > 0 {
		fmt.Fprintf(w, "imports:\n")
		for _, s := range rep.Imports {
			fmt.Fprintf(w, "  %s.%s %s\n", s.Module, s.Name, s.Signature)
		}
	}
	if len(rep.Exports) > 0 {
		fmt.Fprintf(w, "exports:\n")
		for _, s := range rep.Exports {
			fmt.Fprintf(w, "  %s %s\n", s.Name, s.Signature)
		}
	}
	if rep.OK() {
		fmt.Fprintf(w, "problems:    none\n")
	} else {
		fmt.Fprintf(w, "problems:    %d\n", len(rep.Problems))
	}
}
