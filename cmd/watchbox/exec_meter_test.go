package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/host/meter"
)

// cKernels is the committed C test module of host/meter (exports fib,
// loop, ... taking an i32 and returning an i64).
var cKernels = filepath.Join("..", "..", "host", "meter", "testdata", "kernels", "c", "kernels.wasm")

func runCmd(t *testing.T, f func(context.Context, []string, *bytes.Buffer, *bytes.Buffer) int, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := f(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func execCmd(ctx context.Context, args []string, out, errb *bytes.Buffer) int {
	return execCommand(ctx, args, out, errb)
}

func meterCmd(ctx context.Context, args []string, out, errb *bytes.Buffer) int {
	return meterCommand(ctx, args, out, errb)
}

func TestExecCommand(t *testing.T) {
	cache := t.TempDir()
	code, out, errs := runCmd(t, execCmd, "--cache", cache, "--fuel", "1000000", cKernels, "--invoke", "fib", "20")
	if code != exitOK || !strings.Contains(out, "results: 6765") || !strings.Contains(out, "outcome: ok") || !strings.Contains(out, "fuel used: ") {
		t.Fatalf("exec fib 20: code %d\nstdout: %s\nstderr: %s", code, out, errs)
	}

	// init_fuel is _initialize's share, so the call's own fuel is
	// fuel_used - init_fuel (what one wasmtime call's consume_fuel gives).
	code, out, _ = runCmd(t, execCmd, "--cache", cache, "--json", cKernels, "--invoke", "fib", "20")
	var split struct {
		FuelUsed int64 `json:"fuel_used"`
		InitFuel int64 `json:"init_fuel"`
	}
	if err := json.Unmarshal([]byte(out), &split); err != nil || code != exitOK {
		t.Fatalf("--json fib 20: code %d, %v\n%s", code, err, out)
	}
	if split.InitFuel <= 0 || split.InitFuel >= split.FuelUsed {
		t.Errorf("init_fuel %d of fuel_used %d: want _initialize's part, above 0", split.InitFuel, split.FuelUsed)
	}
	code, out, _ = runCmd(t, execCmd, "--cache", cache, "--json", cKernels, "--invoke", "_initialize")
	var initOnly struct {
		FuelUsed int64 `json:"fuel_used"`
		InitFuel int64 `json:"init_fuel"`
	}
	if err := json.Unmarshal([]byte(out), &initOnly); err != nil || code != exitOK || initOnly.FuelUsed != split.InitFuel || initOnly.InitFuel != 0 {
		t.Errorf("--invoke _initialize: code %d, %+v; want fuel_used %d (init_fuel of fib) and init_fuel 0", code, initOnly, split.InitFuel)
	}

	code, out, _ = runCmd(t, execCmd, "--cache", cache, "--json", "--fuel", "5000", "--cost-model", "wasmtime", cKernels, "--invoke", "fib", "25")
	var res struct {
		Outcome  string   `json:"outcome"`
		Results  []string `json:"results"`
		FuelUsed int64    `json:"fuel_used"`
		WallNS   int64    `json:"wall_ns"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output is not one JSON object: %v\n%s", err, out)
	}
	if code != exitCrash || res.Outcome != "fuel_exhausted" || res.FuelUsed < 5000 || res.WallNS <= 0 {
		t.Errorf("exhausted run: code %d, %+v", code, res)
	}

	// Flags after the module, and negative arguments after --invoke.
	code, out, errs = runCmd(t, execCmd, "--cache", "off", cKernels, "--timeout", "50ms", "--invoke", "loop", "-5")
	if code != exitOK || !strings.Contains(out, "results: 0") {
		t.Errorf("loop -5: code %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCmd(t, execCmd, "--cache", cache, "--timeout", "50ms", cKernels, "--invoke", "loop", "2000000000")
	if code != exitCrash || !strings.Contains(out, "outcome: deadline_exceeded") {
		t.Errorf("deadline: code %d\n%s%s", code, out, errs)
	}

	bad := filepath.Join(t.TempDir(), "bad.wasm")
	os.WriteFile(bad, []byte("\x00asm\x01\x00\x00\x00\x0a\x05\x01\x03\x00\xff\x0b"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, exitUsage, "missing MODULE.wasm"},
		{[]string{cKernels}, exitUsage, "no _start export"},
		{[]string{cKernels, "--invoke", "nope"}, exitUsage, `no function "nope"`},
		{[]string{cKernels, "--invoke", "fib"}, exitUsage, "takes 1 argument"},
		{[]string{cKernels, "--invoke", "fib", "x"}, exitUsage, "not a valid i32"},
		{[]string{cKernels, "7"}, exitUsage, "--invoke EXPORT"},
		{[]string{"--cost-model", "cheap", cKernels}, exitUsage, "strict"},
		{[]string{"--fuel", "-3", cKernels}, exitUsage, "negative"},
		{[]string{"--bogus", cKernels}, exitUsage, "bogus"},
		{[]string{filepath.Join(t.TempDir(), "missing.wasm")}, exitInvalid, "missing.wasm: no such file or directory"},
		{[]string{bad}, exitInvalid, "offset 0x"},
	} {
		code, out, errs := runCmd(t, execCmd, append([]string{"--cache", "off"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("exec %q: code %d (want %d), stderr %q (want %q), stdout %q", tc.args, code, tc.code, errs, tc.msg, out)
		}
	}
}

func TestMeterCommand(t *testing.T) {
	dir := t.TempDir()
	outPath := filepath.Join(dir, "out.wasm")
	code, out, errs := runCmd(t, meterCmd, "--cost-model", "wasmtime", "-o", outPath, cKernels)
	if code != exitOK || !strings.Contains(out, "wrote") {
		t.Fatalf("meter: code %d\n%s%s", code, out, errs)
	}
	got, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(cKernels)
	want, _ := meter.Instrument(orig, meter.Wasmtime)
	if !bytes.Equal(got, want) {
		t.Error("meter wrote something other than meter.Instrument's output")
	}
	// The metered module runs: exec --no-meter on it still works.
	if code, out, errs := runCmd(t, execCmd, "--cache", "off", "--no-meter", outPath, "--invoke", "fib", "10"); code != exitOK || !strings.Contains(out, "results: 55") {
		t.Errorf("running the metered output: %d %s %s", code, out, errs)
	}
	code, out, _ = runCmd(t, meterCmd, "--json", "-o", outPath, cKernels)
	var js map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &js) != nil || js["fuel_export"] != meter.FuelExport {
		t.Errorf("meter --json: %d %q", code, out)
	}
	notWasm := filepath.Join(dir, "x.wasm")
	os.WriteFile(notWasm, []byte("hello, world"), 0o644)
	invalid := filepath.Join(dir, "invalid.wasm")
	// Well-formed but invalid: i32.add on an empty stack.
	os.WriteFile(invalid, []byte("\x00asm\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x05\x01\x03\x00\x6a\x0b"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{cKernels}, exitUsage, "missing -o"},
		{[]string{"-o", outPath}, exitUsage, "exactly one input"},
		{[]string{"-o", outPath, "--cost-model", "x", cKernels}, exitUsage, "unknown cost model"},
		{[]string{"-o", outPath, filepath.Join(dir, "nope.wasm")}, exitInvalid, "nope.wasm: no such file or directory"},
		{[]string{"-o", outPath, notWasm}, exitInvalid, "magic"},
		{[]string{"-o", outPath, invalid}, exitInvalid, "not a valid module"},
		{[]string{"-o", filepath.Join(dir, "no", "such", "dir.wasm"), cKernels}, exitError, "writing the output"},
	} {
		code, out, errs := runCmd(t, meterCmd, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("meter %q: code %d (want %d), stderr %q (want %q), stdout %q", tc.args, code, tc.code, errs, tc.msg, out)
		}
	}
}
