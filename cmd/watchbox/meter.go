package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tetratelabs/wazero"

	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/host/meter"
)

// meterCommand implements `watchbox meter`: write the fuel-metered form of a
// module.
func meterCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("meter", "-o OUT.wasm IN.wasm", stderr)
	out := fs.String("o", "", "output file (required)")
	model := fs.String("cost-model", "strict", "fuel cost model: strict or wasmtime")
	asJSON := fs.Bool("json", false, "print one JSON object describing the output")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "watchbox meter: want exactly one input module, got %d\nusage: watchbox meter [--cost-model M] -o OUT.wasm IN.wasm\n", len(pos))
		return exitUsage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "watchbox meter: missing -o OUT.wasm (where to write the metered module)")
		return exitUsage
	}
	cm, err := meter.ParseCostModel(*model)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox meter: --cost-model: %v\n", err)
		return exitUsage
	}
	in := pos[0]
	wasm, err := input.Read(in, input.Module)
	if err != nil {
		if input.IsTooLarge(err) || errors.As(err, new(*input.NotRegularError)) {
			fmt.Fprintf(stderr, "watchbox meter: %v\n", err)
			return exitInvalid
		}
		if errors.Is(err, os.ErrNotExist) {
			// A module that is not there is the app's input missing, as
			// run, build and inspect answer a missing bundle.
			fmt.Fprintf(stderr, "watchbox meter: %v\n", err)
			return exitInvalid
		}
		fmt.Fprintf(stderr, "watchbox meter: reading the input: %v\n", err)
		return exitError
	}
	// Validate before wazero reads the input below: wazero allocates what
	// a section's counts claim, and Instrument copies some sections unread.
	if err := meter.Validate(wasm); err != nil {
		fmt.Fprintf(stderr, "watchbox meter: %s is not a valid WebAssembly module: %v\n", in, err)
		return exitInvalid
	}
	metered, err := meter.Instrument(wasm, cm)
	if err != nil {
		var fe *meter.FormatError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "watchbox meter: %s is not a valid WebAssembly module: %v\n", in, fe)
		} else {
			fmt.Fprintf(stderr, "watchbox meter: %s: %v\n", in, err)
		}
		return exitInvalid
	}
	// The instrumenter does not validate types; let wazero's fast
	// interpreter front end validate the input, so an invalid module is
	// reported here rather than when it is run.
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	if _, err := r.CompileModule(ctx, wasm); err != nil {
		fmt.Fprintf(stderr, "watchbox meter: %s is not a valid module: %v\n", in, err)
		return exitInvalid
	}
	if err := os.WriteFile(*out, metered, 0o644); err != nil {
		fmt.Fprintf(stderr, "watchbox meter: writing the output: %v\n", err)
		return exitError
	}
	if *asJSON {
		writeJSON(stdout, map[string]any{
			"in": in, "out": *out, "in_bytes": len(wasm), "out_bytes": len(metered),
			"cost_model": cm.String(), "fuel_export": meter.FuelExport, "limit_export": meter.LimitExport,
			"instrumenter_version": meter.Version,
		})
	} else {
		fmt.Fprintf(stdout, "wrote %s: %d bytes (input %d bytes), cost model %s; fuel in exported global %q, limit in %q\n",
			*out, len(metered), len(wasm), cm, meter.FuelExport, meter.LimitExport)
	}
	return exitOK
}
