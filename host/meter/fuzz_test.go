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
// of the spec test suite plus the test modules of this package.
func FuzzInstrument(f *testing.F) {
	for _, suite := range specSuites {
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
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FormatError: %v", err)
			}
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
