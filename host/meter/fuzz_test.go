package meter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// FuzzInstrument checks that Instrument never panics, that it reports
// malformed input as a *FormatError, and that whenever wazero accepts the
// input it also accepts the output. The seed corpus is every binary module
// of the spec test suite (with -short, of its proposal suites only) plus the
// test modules of this package.
func FuzzInstrument(f *testing.F) {
	for _, suite := range specSuites {
		if testing.Short() && (suite.name == "v1" || suite.name == "v2") {
			continue // 7,100 of the 7,800 seed modules: the full run has them
		}
		files, _ := filepath.Glob(filepath.Join(specDir(f), suite.name, "testdata", "*.wasm"))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add(fibModule())
	f.Add(loopModule())
	f.Add(hostModule())
	ctx := context.Background()
	features := api.CoreFeaturesV2 | experimental.CoreFeaturesTailCall | experimental.CoreFeaturesExtendedConst | experimental.CoreFeaturesThreads
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(features))
	defer r.Close(ctx)
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Instrument(in, Strict)
		var fe *FormatError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("error is not a *FormatError: %v", err)
		}
		if hugeTypeVector(in) {
			// wazero 1.12 allocates a value-type vector of the declared
			// size before reading it and runs out of memory: check only
			// Instrument's answer, not wazero's.
			return
		}
		if err != nil {
			if cm, cerr := r.CompileModule(ctx, in); cerr == nil {
				cm.Close(ctx)
				t.Fatalf("wazero accepts the input but Instrument rejects it: %v", err)
			}
			return
		}
		cm, cerr := r.CompileModule(ctx, in)
		if cerr != nil {
			return // invalid input: the output may be invalid too
		}
		cm.Close(ctx)
		cm2, err := r.CompileModule(ctx, out)
		if err != nil {
			t.Fatalf("wazero accepts the input but rejects the instrumented output: %v", err)
		}
		cm2.Close(ctx)
	})
}

// hugeTypeVector reports whether the type section of in declares a
// parameter or result count larger than the section, which makes wazero
// 1.12's decoder allocate up to 4G entries (a fatal out of memory) before it
// finds the input truncated.
func hugeTypeVector(in []byte) bool {
	if len(in) < 8 {
		return false
	}
	p := 8
	leb := func(end int) (uint64, bool) {
		var v uint64
		for shift := 0; p < end && shift < 35; shift += 7 {
			c := in[p]
			p++
			v |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	for p < len(in) {
		id := in[p]
		p++
		size, ok := leb(len(in))
		if !ok {
			return false
		}
		end := len(in) // wazero reads past a short section
		if size < uint64(end-p) {
			end = p + int(size)
		}
		if id == 1 {
			n, ok := leb(end)
			for i := uint64(0); ok && i < n && p < end; i++ {
				if in[p] != 0x60 {
					return false // not a plain function type: stop looking
				}
				p++
				for j := 0; j < 2; j++ { // params, results
					// wazero reads a count past the end of its
					// section, so a count cut by the end is read
					// on into the next bytes (the kept input
					// d3c0a0a5b14dcd85: a count of 2^32-1 across
					// the end of a 10-byte type section).
					k, ok2 := leb(len(in))
					if !ok2 {
						return false
					}
					if k > uint64(len(in)-p) || k > uint64(max(end-p, 0)) {
						return true
					}
					p += int(k) // single-byte value types; good enough to find the next count
				}
			}
			return false
		}
		p = end
	}
	return false
}
