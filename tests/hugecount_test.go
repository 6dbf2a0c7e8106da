package tests

import (
	"path/filepath"
	"testing"
)

// hugeCountModule is a 247-byte module whose function section claims
// 2^32-1 functions and holds 231. wazero's decoder allocates what the
// count claims (16 GiB of type indices), so handed to wazero unchecked it
// kills the process with "fatal error: runtime: out of memory" (issue 9,
// item 7).
func hugeCountModule() []byte {
	content := []byte{0xff, 0xff, 0xff, 0xff, 0x0f} // the count, 2^32-1
	content = append(content, make([]byte, 231)...)
	wasm := []byte("\x00asm\x01\x00\x00\x00")
	wasm = append(wasm, 3, byte(len(content)|0x80), byte(len(content)>>7))
	return append(wasm, content...)
}

// TestHugeCountModule: inspect and build refuse a module whose counts
// claim more elements than its bytes hold, as an invalid app with a clear
// message, instead of dying of an out-of-memory fatal error in wazero; run
// and exec refuse it the same way.
func TestHugeCountModule(t *testing.T) {
	t.Parallel()
	wasm := hugeCountModule()
	if len(wasm) != 247 {
		t.Fatalf("the module is %d bytes, want 247", len(wasm))
	}
	file := writeFile(t, t.TempDir(), "huge.wasm", wasm)
	dir := moduleBundle(t, wasm)
	app := filepath.Join(dir, "app.wasm")
	for _, tc := range []struct {
		args    []string
		code    int
		phrases []string
	}{
		{[]string{"inspect", file}, exitInvalid, []string{"problem: " + file, "truncated or corrupt", "function section", "function count 4294967295 larger than the section", "rebuild it"}},
		{[]string{"inspect", "--json", file}, exitInvalid, []string{"function count 4294967295"}},
		{[]string{"inspect", dir}, exitInvalid, []string{"problem: " + app, "truncated or corrupt", "function count 4294967295"}},
		{[]string{"build", dir}, exitInvalid, []string{"problem: " + app, "truncated or corrupt", "function count 4294967295"}},
		{runArgs(t, dir), exitInvalid, []string{"watchbox run: invalid app " + dir}},
		{[]string{"exec", file}, exitInvalid, []string{"function count 4294967295"}},
		{[]string{"exec", "--no-meter", file}, exitInvalid, []string{"function count 4294967295"}},
		{[]string{"meter", "-o", filepath.Join(t.TempDir(), "out.wasm"), file}, exitInvalid, []string{"not a valid WebAssembly module"}},
	} {
		r := watchbox(t, nil, tc.args...)
		expect(t, r, tc.code, tc.phrases...)
	}
}
