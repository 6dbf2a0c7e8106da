// Command watchbox runs watch apps compiled to WebAssembly under a model of
// watchOS's app life cycle.
//
// Usage:
//
//	watchbox run [flags] BUNDLE...     run apps; steps from --steps or stdin
//	watchbox dev [flags] BUNDLE...     run apps and reload them on every save
//	watchbox build [flags] BUNDLE      build and check an app
//	watchbox inspect [flags] PATH      show an app's or module's ABI and problems
//	watchbox exec [flags] MODULE.wasm  run any WASI module under a fuel budget
//	watchbox meter [flags] -o OUT IN   write the fuel-metered form of a module
//	watchbox fuzz [flags] BUNDLE       fuzz an app's handlers, coverage-guided
//	watchbox version                   print versions
//
// Every command takes --json for machine-readable output. Exit codes are
// listed in README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/watchbox/watchbox/internal/suggest"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run one or more app bundles under the life-cycle model", runCommand},
		{"dev", "run app bundles live and reload each on every save, carrying its state across", devCommand},
		{"build", "build an app bundle and check it against the ABI", buildCommand},
		{"inspect", "show a bundle's or module's manifest, ABI, imports, exports and problems", inspectCommand},
		{"exec", "run any WASI module under a fuel budget and deadline", execCommand},
		{"meter", "write the fuel-metered form of a module", meterCommand},
		{"push", "send an .apns push to an app of a live watchbox run (like xcrun simctl push)", controlCommand("push")},
		{"trigger", "force a background task, or the expiry of open ones, on an app of a live watchbox run", controlCommand("trigger")},
		{"step", "apply a step (wrist-down, background, launch APP, ...) to a live watchbox run", controlCommand("step")},
		{"status", "show the state, complication and recent decisions of every app of a live watchbox run", controlCommand("status")},
		{"phone", "send phone data (user-info, context, message or complication) to an app of a live watchbox run", controlCommand("phone")},
		{"bluetooth-alert", "send a Bluetooth peripheral's timely alert to an app of a live watchbox run", controlCommand("bluetooth-alert")},
		{"peripheral", "put a simulated Bluetooth peripheral in range of a live watchbox run, change a value, or take it away", controlCommand("peripheral")},
		{"tap", "tap a notification an app of a live watchbox run delivered (the latest by default)", controlCommand("tap")},
		{"complication", "put an app's complication on or off the active watch face in a live watchbox run", controlCommand("complication")},
		{"simulate", "run a scenario of apps and events on a virtual clock and print its timeline", simulateCommand},
		{"fuzz", "fuzz an app's handlers with coverage-guided sequences of events; save what breaks as scenarios", fuzzCommand},
		{"profile", "print the device profile (every budget and timeout) and where each number comes from", profileCommand},
		{"version", "print watchbox, ABI, Go and wazero versions", versionCommand},
	}
}

func main() {
	zerolog.TimeFieldFormat = time.RFC3339Nano
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling, so that a
		// second Ctrl-C ends the process even if a shutdown hangs.
		<-ctx.Done()
		stop()
	}()
	ctx, cancel := context.WithCancel(ctx)
	stdout, stderr, pipe := watchOutputs(os.Stdout, os.Stderr, cancel)
	code := cli(ctx, os.Args[1:], stdout, stderr)
	cancel()
	stop()
	if pipe.Broken() {
		code = exitClosedPipe
	}
	os.Exit(code)
}

// stdin is the run command's step source; tests replace it.
var stdin io.Reader = os.Stdin

func cli(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if name == "help" && len(args) > 1 {
			// watchbox help COMMAND: the command's flags, on stdout.
			if c, ok := findCommand(args[1]); ok {
				return c.run(ctx, []string{"-h"}, stdout, stdout)
			}
			name = args[1]
			break
		}
		usage(stdout)
		return exitOK
	case "--version", "-version":
		name = "version"
	}
	if c, ok := findCommand(name); ok {
		return c.run(ctx, args[1:], stdout, stderr)
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(stderr, "watchbox: unknown command %q%s\n\n", name, suggest.Hint(name, names))
	usage(stderr)
	return exitUsage
}

// findCommand returns the command called name.
func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: watchbox COMMAND [flags] [args]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'watchbox COMMAND -h' for a command's flags.")
}
