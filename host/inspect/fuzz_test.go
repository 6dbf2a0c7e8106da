package inspect

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// FuzzInspect runs inspect's module path (the byte checks, wazero's
// compiler, the ABI checks) on arbitrary bytes: whatever a file holds,
// inspect reports problems and never panics or dies of an out-of-memory
// fatal error in wazero's decoders (issue 9, item 7).
func FuzzInspect(f *testing.F) {
	hello, err := os.ReadFile("../../tests/apps/c-hello/hello.wasm")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(hello)
	// A minimal module: one type, one function, one empty body.
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x04\x01\x02\x00\x0b"))
	// The function section claims 2^32-1 functions in 236 bytes.
	huge := []byte("\x00asm\x01\x00\x00\x00\x03\xec\x01\xff\xff\xff\xff\x0f")
	f.Add(append(huge, make([]byte, 231)...))
	// A body declaring 2^32-2 locals, and a data segment claiming 4 GiB.
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x0a\x01\x08\x01\xfe\xff\xff\xff\x0f\x7f\x0b"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x05\x03\x01\x00\x01\x0b\x0a\x01\x00\x41\x00\x0b\xff\xff\xff\xff\x0f\x00"))
	// A name section whose function names claim 2^32-1 entries.
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\x0d\x04name\x01\x07\xff\xff\xff\xff\x0f\x00\x00"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, wasm []byte) {
		// A hang is a bug too: crash the worker, so the fuzzer keeps
		// the input.
		hang := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("inspect took over 10 s on %d bytes", len(wasm))) })
		defer hang.Stop()
		rep := &Report{Path: "fuzz.wasm"}
		// The manifest's default memory limit, as a bundle would have.
		rc := wazero.NewRuntimeConfig().WithMemoryLimitPages(1024)
		if err := checkModuleBytes(ctx, rep, "fuzz.wasm", wasm, rc, "64MiB"); err != nil {
			t.Fatalf("inspect failed on its own: %v", err)
		}
	})
}
