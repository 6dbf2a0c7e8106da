package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/host/wasiexec"
)

const execArgs = "MODULE.wasm [--invoke EXPORT [ARGS...]]"

// execCommand implements `watchbox exec`: run any WASI module under a fuel
// budget and a deadline, like `wasmtime run --fuel`.
func execCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("exec", execArgs, stderr)
	fuel := fs.Int64("fuel", 0, "fuel budget in units (0: unlimited); see docs/metering.md")
	timeout := fs.Duration("timeout", 0, "wall-clock limit of the run, e.g. 500ms (0: none)")
	noMeter := fs.Bool("no-meter", false, "run the module uninstrumented (no fuel; --timeout then uses slow context interruption)")
	model := fs.String("cost-model", "strict", "fuel cost model: strict or wasmtime")
	asJSON := fs.Bool("json", false, "print one JSON object with the outcome")
	cacheDir := fs.String("cache", "", "cache directory for compiled and metered modules (default: the user cache dir + /watchbox; \"off\" disables)")
	invoke := ""
	var invokeArgs []string

	// Flags may come before or after MODULE; --invoke takes the export and
	// every remaining argument (so negative numbers are arguments, not flags).
	var module string
	rest := args
	for len(rest) > 0 {
		tok := rest[0]
		switch {
		case tok == "--invoke" || tok == "-invoke":
			if len(rest) < 2 {
				fmt.Fprintln(stderr, "watchbox exec: --invoke needs an export name: --invoke EXPORT [ARGS...]")
				return exitUsage
			}
			invoke, invokeArgs, rest = rest[1], rest[2:], nil
		case strings.HasPrefix(tok, "--invoke=") || strings.HasPrefix(tok, "-invoke="):
			invoke, invokeArgs, rest = tok[strings.Index(tok, "=")+1:], rest[1:], nil
		case tok == "--":
			rest = rest[1:]
			if module == "" && len(rest) > 0 {
				module, rest = rest[0], rest[1:]
			}
			if len(rest) > 0 {
				fmt.Fprintf(stderr, "watchbox exec: unexpected arguments %q: arguments go to an export, as in --invoke EXPORT ARGS...\n", rest)
				return exitUsage
			}
		case len(tok) > 1 && tok[0] == '-':
			// Parse flags up to --invoke, which the flag package does not know.
			k := len(rest)
			for i, a := range rest {
				if a == "--invoke" || a == "-invoke" || strings.HasPrefix(a, "--invoke=") || strings.HasPrefix(a, "-invoke=") {
					k = i
					break
				}
			}
			if err := fs.Parse(rest[:k]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return exitOK
				}
				unknownFlagHint(fs, err)
				return exitUsage
			}
			rest = append(fs.Args(), rest[k:]...)
		case module == "":
			module, rest = tok, rest[1:]
		default:
			fmt.Fprintf(stderr, "watchbox exec: unexpected argument %q after %s: arguments go to an export, as in --invoke EXPORT %s\n", tok, module, strings.Join(rest, " "))
			return exitUsage
		}
	}
	if module == "" {
		fmt.Fprintf(stderr, "watchbox exec: missing MODULE.wasm\nusage: watchbox exec [flags] %s\n", execArgs)
		return exitUsage
	}
	if invoke == "" && len(invokeArgs) > 0 {
		fmt.Fprintln(stderr, "watchbox exec: arguments need --invoke EXPORT")
		return exitUsage
	}
	if *fuel < 0 {
		fmt.Fprintf(stderr, "watchbox exec: --fuel %d is negative: give a budget in units, or 0 for unlimited\n", *fuel)
		return exitUsage
	}
	if *timeout < 0 {
		fmt.Fprintf(stderr, "watchbox exec: --timeout %v is negative\n", *timeout)
		return exitUsage
	}
	cm, err := meter.ParseCostModel(*model)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox exec: --cost-model: %v\n", err)
		return exitUsage
	}
	if *noMeter && *fuel > 0 {
		fmt.Fprintln(stderr, "watchbox exec: --fuel needs metering: drop --no-meter")
		return exitUsage
	}
	wasm, err := input.Read(module, input.Module)
	if err != nil {
		if input.IsTooLarge(err) || errors.As(err, new(*input.NotRegularError)) {
			fmt.Fprintf(stderr, "watchbox exec: %v\n", err)
			return exitInvalid
		}
		if errors.Is(err, os.ErrNotExist) {
			// A module that is not there is the app's input missing, as
			// run, build and inspect answer a missing bundle.
			fmt.Fprintf(stderr, "watchbox exec: %v\n", err)
			return exitInvalid
		}
		fmt.Fprintf(stderr, "watchbox exec: reading the module: %v\n", err)
		return exitError
	}
	dir, err := execCacheDir(*cacheDir)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox exec: %v\n", err)
		return exitError
	}
	guestOut := stdout
	if *asJSON {
		guestOut = stderr // keep stdout one JSON object
	}
	opts := wasiexec.Options{
		Fuel: *fuel, Timeout: *timeout, NoMeter: *noMeter, CostModel: cm,
		Invoke: invoke, Args: invokeArgs, Name: module,
		Stdin: stdinFile(), Stdout: guestOut, Stderr: stderr, CacheDir: dir,
	}
	var res *wasiexec.Result
	if *noMeter && *timeout == 0 {
		// Nothing stops unmetered code without a deadline (the context
		// checks that would are what --timeout adds): on an interrupt,
		// leave it and end, rather than ignore the Ctrl-C.
		done := make(chan struct{})
		go func() {
			defer close(done)
			res, err = wasiexec.Run(ctx, wasm, opts)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			fmt.Fprintf(stderr, "watchbox exec: %s: interrupted; it ran unmetered and without --timeout, so it was left running as watchbox ended\n", module)
			return exitError
		}
	} else {
		res, err = wasiexec.Run(ctx, wasm, opts)
	}
	if err != nil {
		var ee *wasiexec.Error
		code := exitError
		if errors.As(err, &ee) {
			switch ee.Kind {
			case wasiexec.BadRequest:
				code = exitUsage
			case wasiexec.BadModule:
				code = exitInvalid
			}
		}
		fmt.Fprintf(stderr, "watchbox exec: %s: %v\n", module, err)
		return code
	}
	if *asJSON {
		writeJSON(stdout, res)
	} else {
		printExec(stdout, res)
	}
	switch res.Outcome {
	case wasiexec.OK:
		return exitOK
	case wasiexec.Interrupted:
		return exitError // not the guest's failure
	default:
		return exitCrash
	}
}

// stdinFile is the guest's stdin; tests replace the package's stdin.
func stdinFile() io.Reader { return stdin }

func execCacheDir(flagValue string) (string, error) {
	switch flagValue {
	case "off":
		return "", nil
	case "":
		dir, err := os.UserCacheDir()
		if err != nil {
			return "", nil // no cache rather than no run
		}
		return dir + string(os.PathSeparator) + "watchbox", nil
	}
	return flagValue, nil
}

func printExec(w io.Writer, res *wasiexec.Result) {
	if len(res.Results) > 0 {
		fmt.Fprintf(w, "results: %s\n", strings.Join(res.Results, " "))
	}
	switch res.Outcome {
	case wasiexec.Exit:
		fmt.Fprintf(w, "outcome: exit (code %d)\n", res.ExitCode)
	default:
		fmt.Fprintf(w, "outcome: %s\n", res.Outcome)
	}
	if res.Trap != "" {
		msg := res.Trap
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		fmt.Fprintf(w, "trap: %s\n", msg)
	}
	if res.Metered {
		budget := "unlimited"
		if res.Fuel < meter.MaxFuel {
			budget = fmt.Sprint(res.Fuel)
		}
		fmt.Fprintf(w, "fuel used: %d (budget %s, cost model %s)\n", res.FuelUsed, budget, res.CostModel)
		if res.InitFuel > 0 {
			fmt.Fprintf(w, "  _initialize: %d, %s: %d\n", res.InitFuel, res.Export, res.FuelUsed-res.InitFuel)
		}
	} else {
		fmt.Fprintln(w, "fuel used: not metered")
	}
	fmt.Fprintf(w, "wall time: %s (compile %s)\n", res.Wall.Round(time.Microsecond), res.Compile.Round(time.Microsecond))
}
