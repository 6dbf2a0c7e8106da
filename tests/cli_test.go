// Package tests holds end-to-end tests of the watchbox command as a user runs
// it: a real binary, real app bundles, real processes and signals.
package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// Exit codes of the watchbox command (cmd/watchbox/exit.go).
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitInvalid = 3
	exitCrash   = 4
	exitExpect  = 5
	exitFound   = 6
)

var (
	// watchboxBin is the watchbox binary TestMain builds.
	watchboxBin string
	// repoRoot is the module root; commands run there, as a user in a
	// checkout would ("watchbox run apps/hello").
	repoRoot string
	// sharedCache is $XDG_CACHE_HOME for every watchbox process, shared by
	// all test binaries so that Go builds of apps and wazero compilations
	// are cached across runs. Its watchbox directory (the commands' cache)
	// is a link to testCache, so that the commands and the in-process
	// runtimes of every test binary build, meter and compile an app once.
	sharedCache = filepath.Join(os.TempDir(), "watchbox-test-xdg-cache")
	// testCache is the cache of the in-process runtimes of every test
	// binary (host's, drive's, ... and this package's).
	testCache = filepath.Join(os.TempDir(), "watchbox-test-cache")
	// dataHome is $XDG_DATA_HOME of TestMain's commands, so that a command
	// without --data never writes to the user's home (tests get their own:
	// see env).
	dataHome string
	// runtimeDir holds the control sockets of the runs this binary starts
	// (each test's default one in a directory of its own: see env).
	runtimeDir string
	// cacheVersion is the VERSION of this binary's wazero compilation
	// cache directory, wazero-VERSION-GOARCH-GOOS (see wazeroCacheVersion).
	cacheVersion string
	// verbose logs every command and its output (WATCHBOX_TEST_VERBOSE=1).
	verbose = os.Getenv("WATCHBOX_TEST_VERBOSE") != ""
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	var err error
	if repoRoot, err = filepath.Abs(".."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "watchbox-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	dataHome = filepath.Join(tmp, "data")
	watchboxBin = filepath.Join(tmp, "watchbox")
	if runtime.GOOS == "windows" {
		watchboxBin += ".exe"
	}
	if err := linkSharedCache(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The watchbox processes get XDG_CACHE_HOME=sharedCache, and the go
	// command takes $XDG_CACHE_HOME/go-build as its cache when GOCACHE is
	// not set: a second, cold Go cache in which their first app build
	// compiles the wasip1 standard library again (half a minute of CPU).
	// Pass the go command's own cache on instead.
	if os.Getenv("GOCACHE") == "" {
		if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
			if dir := strings.TrimSpace(string(out)); dir != "" && dir != "off" {
				os.Setenv("GOCACHE", dir)
			}
		}
	}
	build := func(flags ...string) error {
		args := append([]string{"build"}, flags...)
		cmd := exec.Command("go", append(args, "-o", watchboxBin, "./cmd/watchbox")...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, out)
		}
		return nil
	}
	if cacheVersion, err = wazeroCacheVersion(tmp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := build("-ldflags=-X=" + wazeroVersionVar + "=" + cacheVersion); err != nil {
		fmt.Fprintf(os.Stderr, "building watchbox: %v\n", err)
		return 1
	}
	runtimeDir = filepath.Join(tmp, "run")
	if err := os.MkdirAll(runtimeDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Build, meter and compile the Go apps that more than one test runs,
	// before any test: parallel tests that each found an app unbuilt (say
	// TestGolden's text and --json runs of one scenario) would build it
	// (and, with a cold Go cache, the standard library for wasip1), meter
	// it and compile it once each, at the same time. Runs, not a build per
	// app: build compiles the unmetered module, which only the inspect and
	// build tests of hello and weather read, and runs compile the metered
	// one. Two processes, each with its own apps, keep both cores busy.
	var warmErr [2]error
	var warming sync.WaitGroup
	for i := range warmErr {
		var apps []string
		for j := i; j < len(builtApps); j += len(warmErr) {
			apps = append(apps, builtApps[j])
		}
		warming.Add(1)
		go func() {
			defer warming.Done()
			args := append([]string{"run", "--control", "off", "--data", filepath.Join(tmp, "warm", strconv.Itoa(i)), "--steps", "status"}, apps...)
			cmd := exec.Command(watchboxBin, args...)
			cmd.Dir = repoRoot
			cmd.Env = envWith(dataHome, runtimeDir)
			if out, err := cmd.CombinedOutput(); err != nil {
				warmErr[i] = fmt.Errorf("watchbox %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}()
	}
	warming.Wait()
	for _, err := range warmErr {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// wazeroVersionVar is the variable wazero names its compilation cache's
// directory after ("wazero-VERSION-GOARCH-GOOS"), which it reads from the
// binary's build information when the linker has not set it.
const wazeroVersionVar = "github.com/tetratelabs/wazero/internal/version.version"

// wazeroCacheVersion returns the VERSION of the compilation cache
// directory that this test binary's wazero uses. A test binary has no
// module versions in its build information, so wazero says "dev", while
// the watchbox binary a go build makes says the go.mod version: TestMain
// builds watchbox with the test binaries' VERSION, or every app the
// commands run would be compiled again beside the code that the
// in-process runtimes of every test binary (host's, the sample apps'
// through watchtest, ...) compiled into the shared cache
// (TestCommandsShareCompiledCode).
func wazeroCacheVersion(tmp string) (string, error) {
	dir := filepath.Join(tmp, "wazero-version")
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return "", fmt.Errorf("wazero's compilation cache directory: %w", err)
	}
	cache.Close(context.Background())
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("wazero's compilation cache directory: %w", err)
	}
	suffix := "-" + runtime.GOARCH + "-" + runtime.GOOS
	for _, e := range entries {
		if v, ok := strings.CutPrefix(e.Name(), "wazero-"); ok && strings.HasSuffix(v, suffix) {
			return strings.TrimSuffix(v, suffix), nil
		}
	}
	return "", fmt.Errorf("wazero made no wazero-VERSION%s directory in %s", suffix, dir)
}

// linkSharedCache makes sharedCache/watchbox a link to testCache (or, where
// links cannot be made, a directory of its own).
func linkSharedCache() error {
	if err := os.MkdirAll(sharedCache, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(testCache, 0o755); err != nil {
		return err
	}
	link := filepath.Join(sharedCache, "watchbox")
	if _, err := os.Lstat(link); err == nil {
		return nil
	}
	if err := os.Symlink(testCache, link); err != nil && !errors.Is(err, os.ErrExist) {
		return os.MkdirAll(link, 0o755)
	}
	return nil
}

// builtApps are the Go app bundles that more than one test runs (the
// scenarios' apps among them), built, metered and compiled by TestMain.
var builtApps = []string{"apps/hello", "apps/weather", "apps/messages", "apps/refresh", "tests/apps/chaos",
	"apps/workout", "apps/breathe", "apps/alarm", "apps/heartstrap"}

var (
	testDirsMu sync.Mutex
	testDirs   = map[string]string{}
)

// env is the environment of t's watchbox processes. Each top-level test
// has its own XDG_DATA_HOME and XDG_RUNTIME_DIR (where a run's default
// control socket is), so that tests can run in parallel; its subtests and
// the commands it sends to its own live run share them.
func env(t *testing.T) []string {
	dir := testDir(t)
	if err := os.MkdirAll(filepath.Join(dir, "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	return envWith(filepath.Join(dir, "data"), filepath.Join(dir, "run"))
}

// testRunDir is t's XDG_RUNTIME_DIR, where its runs' default control
// sockets are.
func testRunDir(t *testing.T) string { return filepath.Join(testDir(t), "run") }

// testDir is the directory of t's top-level test under runtimeDir.
func testDir(t *testing.T) string {
	name := strings.SplitN(t.Name(), "/", 2)[0]
	testDirsMu.Lock()
	dir, ok := testDirs[name]
	if !ok {
		dir = filepath.Join(runtimeDir, strconv.Itoa(len(testDirs))) // short: a socket path has a length limit
		testDirs[name] = dir
	}
	testDirsMu.Unlock()
	return dir
}

// envWith is the environment of a watchbox process with the shared cache
// and the given data home and runtime directory.
func envWith(data, run string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "XDG_CACHE_HOME=") && !strings.HasPrefix(kv, "XDG_DATA_HOME=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") {
			out = append(out, kv)
		}
	}
	// XDG_RUNTIME_DIR: the control socket of a run is private to this test binary.
	return append(out, "XDG_CACHE_HOME="+sharedCache, "XDG_DATA_HOME="+data, "XDG_RUNTIME_DIR="+run)
}

// result is a finished watchbox process.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("watchbox %s\nexit code %d\n--- stdout:\n%s--- stderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

func (r result) output() string { return r.stdout + r.stderr }

// watchbox runs the binary in the repository root with stdin from in (nil
// for none) and waits for it.
func watchbox(t *testing.T, in io.Reader, args ...string) result {
	t.Helper()
	// TestMain compiled every app, but on a loaded machine (two cores, a
	// load of 30) a run that loads five apps beside 40 parallel tests took
	// more than 3 minutes of wall time for 4 s of CPU; go test's -timeout
	// still ends a hung process.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, watchboxBin, args...)
	cmd.Dir = repoRoot
	cmd.Env = env(t)
	cmd.Stdin = in
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		t.Fatalf("watchbox %s: %v\n%s", strings.Join(args, " "), err, r)
	}
	checkNoPanic(t, r)
	if verbose {
		t.Log(r)
	}
	return r
}

// sharedRuns are the finished runs of watchboxShared, by arguments.
var sharedRuns sync.Map // string (the arguments, NUL-separated) -> *sharedRun

// sharedRun is one process whose result several tests read.
type sharedRun struct {
	once sync.Once
	r    result
}

// watchboxShared is watchbox for a command whose output depends only on
// its arguments (simulate without --data: the virtual clock, a data
// directory of its own): the tests of one binary that need the same
// command's output share one process. A test that compares two runs, as
// the determinism tests do, takes the shared one as its first and starts
// its second itself.
func watchboxShared(t *testing.T, args ...string) result {
	t.Helper()
	v, _ := sharedRuns.LoadOrStore(strings.Join(args, "\x00"), &sharedRun{r: result{args: args, code: -1}})
	s := v.(*sharedRun)
	// If the first caller's process fails to start, it fails that test
	// and the others get code -1, which no test expects.
	s.once.Do(func() { s.r = watchbox(t, nil, args...) })
	return s.r
}

// checkNoPanic fails the test if the output has a Go panic or stack trace:
// whatever the input, watchbox must explain itself instead. A guest's
// stack trace, which --verbose prints indented under its call, is not
// watchbox's.
func checkNoPanic(t *testing.T, r result) {
	t.Helper()
	var own []string
	for _, l := range strings.Split(r.output(), "\n") {
		if !strings.HasPrefix(l, "    ") {
			own = append(own, l)
		}
	}
	out := strings.Join(own, "\n")
	for _, s := range []string{"goroutine ", "panic:", "runtime error:", "[signal "} {
		if strings.Contains(out, s) {
			t.Errorf("output has %q, a Go panic or stack trace:\n%s", s, r)
		}
	}
}

// expect checks the exit code and that the output (stdout and stderr) has
// every phrase.
func expect(t *testing.T, r result, code int, phrases ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d\n%s", r.code, code, r)
	}
	for _, p := range phrases {
		if !strings.Contains(r.output(), p) {
			t.Errorf("output lacks %q\n%s", p, r)
		}
	}
}

// writeFile writes data to dir/name, creating dir.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// moduleManifest is the manifest of a prebuilt-module bundle.
const moduleManifest = `{
  "CFBundleIdentifier": "dev.watchbox.test.bad",
  "CFBundleDisplayName": "Bad",
  "abiVersion": 1,
  "module": "app.wasm"
}
`

// moduleBundle writes a bundle directory whose module is wasm.
func moduleBundle(t *testing.T, wasm []byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	writeFile(t, dir, "watchapp.json", []byte(moduleManifest))
	writeFile(t, dir, "app.wasm", wasm)
	return dir
}

// runArgs are the arguments of a run of bundle with its own data directory
// and one step, so that it cannot wait for stdin.
func runArgs(t *testing.T, bundle string, extra ...string) []string {
	return append([]string{"run", "--data", t.TempDir(), "--steps", "status"}, append(extra, bundle)...)
}

// callLine is one life-cycle call as run prints it without --json:
// "APP  EVENT  STATUS  STATE  DURATION".
type callLine struct{ app, event, status, state string }

// calls extracts the call lines of app from run's stdout.
func calls(stdout, app string) []callLine {
	var out []callLine
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == app && strings.Contains(f[1], "_") {
			out = append(out, callLine{f[0], f[1], f[2], f[3]})
		}
	}
	return out
}

// ----------------------------------------------------------------------------
// Bad input

// badModule is a module file that watchbox must refuse, with the phrases its
// message must have: what is wrong, where and what to do.
type badModule struct {
	name    string
	wasm    []byte
	inspect []string // phrases for "watchbox inspect FILE.wasm"
	run     []string // phrases for "watchbox run BUNDLE" with the module in app.wasm
}

func badModules() []badModule {
	valid := validGuest().module()
	v2 := validGuest()
	v2.marker = "watchbox_abi_v2"
	noMarker := validGuest()
	noMarker.marker = ""
	noEvent := validGuest()
	noEvent.noEvent = true
	badSig := validGuest()
	badSig.eventParams, badSig.eventResult = []byte{wI32}, []byte{wI64}
	frob := validGuest()
	frob.extraImport = [][2]string{{"watchbox", "frobnicate"}}
	envFoo := validGuest()
	envFoo.extraImport = [][2]string{{"env", "foo"}}
	cover := validGuest()
	cover.extraImport = [][2]string{{"watchbox_cover", "hit"}}
	pages := uint32(1)
	command := (&wasmModule{
		types:   []wasmType{{}},
		funcs:   []wasmFunc{{0, bodyEmpty}},
		memory:  &pages,
		exports: []wasmExport{{"_start", exportFunc, 0}, {"memory", exportMemory, 0}},
	}).encode()

	notWasm := "not a WebAssembly module"
	return []badModule{
		{
			name:    "text file",
			wasm:    []byte("(module (func (export \"watchbox_event\")))\n"),
			inspect: []string{notWasm, `starts with "(module "`, `expected "\x00asm"`, "pass a .wasm file"},
			run:     []string{"bundle", "watchapp.json", "module", `"app.wasm"`, notWasm, `\x00asm`},
		},
		{
			name:    "empty file",
			wasm:    nil,
			inspect: []string{"file is empty", "expected a WebAssembly module"},
			run:     []string{"bundle", "watchapp.json", "module", `"app.wasm"`, notWasm},
		},
		{
			name:    "truncated module",
			wasm:    valid[:len(valid)/2],
			inspect: []string{"app.wasm", "truncated or corrupt", "rebuild it"},
			run:     []string{"bundle", "app.wasm", "truncated or corrupt", "rebuild it"},
		},
		{
			name:    "no ABI marker",
			wasm:    noMarker.module(),
			inspect: []string{"no ABI marker", "watchbox_abi_vN", "not a watchbox app", "guest-sdk/go/watch"},
			run:     []string{"bundle", "no ABI marker", "watchbox_abi_vN"},
		},
		{
			name:    "ABI v2",
			wasm:    v2.module(),
			inspect: []string{"export watchbox_abi_v2", "built for ABI v2", "supports ABI v1", "upgrade watchbox or rebuild"},
			run:     []string{"bundle", "export watchbox_abi_v2", "built for ABI v2", "supports ABI v1"},
		},
		{
			name:    "missing watchbox_event",
			wasm:    noEvent.module(),
			inspect: []string{"missing export watchbox_event (i32, i32) -> i32", "required since ABI v1"},
			run:     []string{"bundle", "missing export watchbox_event (i32, i32) -> i32"},
		},
		{
			name:    "watchbox_event signature",
			wasm:    badSig.module(),
			inspect: []string{"export watchbox_event: has type (i32) -> i64", "requires (i32, i32) -> i32"},
			run:     []string{"bundle", "export watchbox_event: has type (i32) -> i64", "requires (i32, i32) -> i32"},
		},
		{
			name:    "unknown host function",
			wasm:    frob.module(),
			inspect: []string{"import watchbox.frobnicate", "no ABI version defines this host function", "event_read, event_reply, log, request, result_read"},
			run:     []string{"bundle", "import watchbox.frobnicate", "no ABI version defines this host function"},
		},
		{
			name:    "own coverage import",
			wasm:    cover.module(),
			inspect: []string{"import watchbox_cover.hit", `reserves for the fuzzer's coverage instrumentation`, "remove this import"},
			run:     []string{"bundle", "import watchbox_cover.hit", "reserves", "remove this import"},
		},
		{
			name:    "import from env",
			wasm:    envFoo.module(),
			inspect: []string{"import env.foo", `watchbox provides only the modules "watchbox" and "wasi_snapshot_preview1"`, "remove this import"},
			run:     []string{"bundle", "import env.foo", `only the modules "watchbox" and "wasi_snapshot_preview1"`},
		},
		{
			name: "WASI command",
			wasm: command,
			inspect: []string{"export _start", "WASI command", "must be a reactor", "-buildmode=c-shared",
				"no ABI marker", "missing export watchbox_event"},
			run: []string{"bundle", "3 problems", "WASI command", "-buildmode=c-shared", "no ABI marker", "missing export watchbox_event"},
		},
	}
}

// TestHandMadeModuleIsValid checks the Wasm encoder: the module the bad
// cases are variations of passes inspect and runs, so that each bad case
// fails for its own reason only.
func TestHandMadeModuleIsValid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "app.wasm", validGuest().module())
	r := watchbox(t, nil, "inspect", file)
	expect(t, r, exitOK, "abi:         v1", "watchbox.event_read (i32, i32) -> i32", "watchbox_event (i32, i32) -> i32", "problems:    none")

	r = watchbox(t, nil, runArgs(t, moduleBundle(t, validGuest().module()))...)
	expect(t, r, exitOK, "dev.watchbox.test.bad: 1 launch(es), 0 crash(es), 0 failed call(s)")
	got := calls(r.stdout, "dev.watchbox.test.bad")
	var events []string
	for _, c := range got {
		events = append(events, c.event+" "+c.status)
	}
	want := "did_finish_launching ok,will_enter_foreground ok,did_become_active ok,will_resign_active ok,did_enter_background ok"
	if strings.Join(events, ",") != want {
		t.Errorf("calls %v, want %s\n%s", events, want, r)
	}
}

func TestInspectBadModule(t *testing.T) {
	t.Parallel()
	for _, c := range badModules() {
		t.Run(c.name, func(t *testing.T) {
			file := writeFile(t, t.TempDir(), "app.wasm", c.wasm)
			r := watchbox(t, nil, "inspect", file)
			expect(t, r, exitInvalid, append([]string{"problem: "}, c.inspect...)...)

			r = watchbox(t, nil, "inspect", "--json", file)
			if r.code != exitInvalid {
				t.Errorf("--json: exit code %d, want %d\n%s", r.code, exitInvalid, r)
			}
			var rep struct {
				Path     string
				Problems []struct{ Where, Message string }
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("--json: stdout is not one JSON object: %v\n%s", err, r)
			}
			if rep.Path != file || len(rep.Problems) == 0 {
				t.Errorf("--json: path %q, %d problems; want %q and at least one\n%s", rep.Path, len(rep.Problems), file, r)
			}
		})
	}
}

func TestRunBadModule(t *testing.T) {
	t.Parallel()
	for _, c := range badModules() {
		t.Run(c.name, func(t *testing.T) {
			dir := moduleBundle(t, c.wasm)
			r := watchbox(t, nil, runArgs(t, dir)...)
			expect(t, r, exitInvalid, append([]string{"watchbox run: invalid app " + dir}, c.run...)...)
			if strings.Contains(r.stdout, "did_finish_launching") {
				t.Errorf("the invalid app was launched\n%s", r)
			}
		})
	}
}

// badManifest has four problems at once; watchbox must list every one.
const badManifest = `{
  "CFBundleDisplayName": "Bad",
  "abiVersion": 1,
  "memoryLimt": "32MiB",
  "memoryLimit": "64MB",
  "WKBackgroundModes": ["self-care", "alarm"],
  "module": "app.wasm"
}
`

var badManifestPhrases = []string{
	"4 problems",
	`watchapp.json:4:3: memoryLimt: unknown key; did you mean "memoryLimit"?`,
	`watchapp.json:5:3: memoryLimit: "64MB" has unit "MB"; use B, KiB, MiB or GiB`,
	`watchapp.json:6:3: WKBackgroundModes: "self-care" and "alarm" cannot both be set`,
	"watchapp.json: CFBundleIdentifier: required key is missing",
}

func TestInspectBadManifest(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "bundle")
	writeFile(t, dir, "watchapp.json", []byte(badManifest))
	writeFile(t, dir, "app.wasm", validGuest().module())
	r := watchbox(t, nil, "inspect", dir)
	expect(t, r, exitInvalid, append([]string{"problems:    4"}, badManifestPhrases[1:]...)...)
	if n := strings.Count(r.stderr, "problem: "); n != 4 {
		t.Errorf("stderr lists %d problems, want 4\n%s", n, r)
	}
}

func TestRunBadManifest(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "bundle")
	writeFile(t, dir, "watchapp.json", []byte(badManifest))
	writeFile(t, dir, "app.wasm", validGuest().module())
	r := watchbox(t, nil, runArgs(t, dir)...)
	expect(t, r, exitInvalid, append([]string{"watchbox run: invalid app " + dir}, badManifestPhrases...)...)
}

func TestMissingBundle(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-app")
	r := watchbox(t, nil, runArgs(t, missing)...)
	expect(t, r, exitInvalid, missing, "bundle directory does not exist")

	r = watchbox(t, nil, "inspect", missing)
	expect(t, r, exitInvalid, missing, "no such file or directory", "pass an app bundle directory (with watchapp.json) or a .wasm file")
}

// TestRunNotABundle: run takes a bundle directory, not a module file or the
// manifest.
func TestRunNotABundle(t *testing.T) {
	t.Parallel()
	file := writeFile(t, t.TempDir(), "app.wasm", validGuest().module())
	r := watchbox(t, nil, runArgs(t, file)...)
	expect(t, r, exitInvalid, file+": is a file, not a bundle directory; a bundle is a directory containing watchapp.json")

	r = watchbox(t, nil, runArgs(t, "apps/hello/watchapp.json")...)
	expect(t, r, exitInvalid, "apps/hello/watchapp.json: is the manifest file; pass the bundle directory that contains it")

	dir := t.TempDir()
	r = watchbox(t, nil, runArgs(t, dir)...)
	expect(t, r, exitInvalid, "no watchapp.json in the bundle directory; create "+filepath.Join(dir, "watchapp.json")+", for example: {")
}

// TestDataDirUnusable: a data directory watchbox cannot create is not the
// app's fault: exit 1, naming the directory.
func TestDataDirUnusable(t *testing.T) {
	t.Parallel()
	file := writeFile(t, t.TempDir(), "file", []byte("not a directory\n"))
	r := watchbox(t, nil, "run", "--data", file, "--steps", "status", "apps/hello")
	// The run's state directory (DATA/state) is the first thing made
	// under --data, before any app's container.
	expect(t, r, exitError, "watchbox run: ", "state directory "+filepath.Join(file, "state"), "not a directory")
	r = watchbox(t, nil, "run", "--data", file, "--state", "off", "--steps", "status", "apps/hello")
	expect(t, r, exitError, "watchbox run: ", "data container for dev.watchbox.hello", file, "not a directory")
}

// TestMemoryOverLimit: a module whose memory starts larger than the
// manifest's memoryLimit is refused with a message that names memoryLimit
// and says what to do.
func TestMemoryOverLimit(t *testing.T) {
	t.Parallel()
	g := validGuest()
	g.memPages = 100
	dir := filepath.Join(t.TempDir(), "bundle")
	writeFile(t, dir, "watchapp.json", []byte(strings.Replace(moduleManifest, `"abiVersion": 1,`, `"abiVersion": 1, "memoryLimit": "1MiB",`, 1)))
	writeFile(t, dir, "app.wasm", g.module())
	for _, args := range [][]string{runArgs(t, dir), {"inspect", dir}} {
		r := watchbox(t, nil, args...)
		expect(t, r, exitInvalid, "memory", "1 Mi", "raise memoryLimit")
		if !strings.Contains(r.stderr, "memoryLimit") {
			t.Errorf("a module memory over the manifest's limit is reported without naming memoryLimit (nor what to do)\n%s", r)
		}
	}
}

// TestTruncatedModuleHint: the message for a truncated module says what is
// wrong in words a user knows, not only wazero's parser error.
//
// The message names app.wasm and says the file is truncated or corrupt and
// should be rebuilt, not only wazero's parser error.
func TestTruncatedModuleHint(t *testing.T) {
	t.Parallel()
	valid := validGuest().module()
	dir := moduleBundle(t, valid[:len(valid)/2])
	r := watchbox(t, nil, runArgs(t, dir)...)
	expect(t, r, exitInvalid, "truncated or corrupt")
	if !strings.Contains(r.stderr, "app.wasm") || !strings.Contains(r.stderr, "truncated") {
		t.Errorf("a truncated module is reported without naming app.wasm or saying it is truncated\n%s", r)
	}
}

// TestBuildFailure runs a Go source bundle that does not compile, in its own
// module so that only the standard library is needed.
func TestBuildFailure(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "broken")
	writeFile(t, dir, "go.mod", []byte("module example.com/broken\n\ngo 1.21\n"))
	writeFile(t, dir, "watchapp.json", []byte(`{"CFBundleIdentifier": "dev.watchbox.test.broken", "CFBundleDisplayName": "Broken", "abiVersion": 1, "source": "."}`))
	writeFile(t, dir, "main.go", []byte("package main\n\nfunc main() {\n\tvar n int = \"three\"\n\t_ = n\n}\n"))
	compilerError := `main.go:4:14: cannot use "three" (untyped string constant) as int value in variable declaration`

	r := watchbox(t, nil, runArgs(t, dir)...)
	expect(t, r, exitInvalid, "watchbox run: invalid app "+dir, "build: building", "failed", compilerError)

	r = watchbox(t, nil, "build", dir)
	expect(t, r, exitInvalid, "problem: build:", compilerError)
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		args    []string
		stdin   string
		phrases []string
	}{
		{"no arguments", nil, "", []string{"usage: watchbox COMMAND", "run", "inspect", "version"}},
		{"unknown command", []string{"frobnicate"}, "", []string{`watchbox: unknown command "frobnicate"`, "usage: watchbox COMMAND"}},
		{"unknown step", []string{"run", "--steps", "wrist-down, jump", "apps/hello"}, "",
			[]string{`watchbox run: --steps: unknown step "jump"; steps are: launch, wrist-up, wrist-down`}},
		{"sleep without duration", []string{"run", "--steps", "sleep", "apps/hello"}, "",
			[]string{`--steps: step "sleep" needs a duration, e.g. "sleep 500ms"`}},
		{"bad flag", []string{"run", "--bogus", "apps/hello"}, "",
			[]string{"flag provided but not defined: -bogus", "usage: watchbox run [flags] BUNDLE"}},
		{"run without bundle", []string{"run", "--steps", "status"}, "",
			[]string{"watchbox run: expected one or more app bundle directories, e.g. watchbox run apps/hello"}},
		{"run with two bundles", []string{"run", "--steps", "status", "apps/hello", "apps/hello"}, "",
			[]string{"watchbox run: apps/hello is given twice; a run holds each app once"}},
		{"bad log level", []string{"run", "--log-level", "loud", "--steps", "status", "apps/hello"}, "",
			[]string{`bad --log-level "loud": use debug, info, warn or error`}},
		{"inspect without path", []string{"inspect"}, "", []string{"watchbox inspect: expected one argument: BUNDLE|FILE.wasm"}},
		{"version with argument", []string{"version", "extra"}, "", []string{"watchbox version: takes no arguments"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var in io.Reader
			if c.stdin != "" {
				in = strings.NewReader(c.stdin)
			}
			r := watchbox(t, in, c.args...)
			expect(t, r, exitUsage, c.phrases...)
			if strings.Contains(r.stdout, "did_finish_launching") {
				t.Errorf("the app was launched despite the usage error\n%s", r)
			}
		})
	}
}

// TestBuildModuleFile: build takes a bundle; a module file is a usage error.
func TestBuildModuleFile(t *testing.T) {
	t.Parallel()
	file := writeFile(t, t.TempDir(), "app.wasm", validGuest().module())
	r := watchbox(t, nil, "build", file)
	expect(t, r, exitUsage, "watchbox build: "+file+" is a module file, not a bundle; nothing to build (use watchbox inspect)")
}

// TestUnknownStepOnStdin: a bad step read from a pipe stops the run with a
// usage error after the app has had its leaving calls.
func TestUnknownStepOnStdin(t *testing.T) {
	t.Parallel()
	r := watchbox(t, strings.NewReader("wrist-down\njump\nbackground\n"), "run", "--data", t.TempDir(), "apps/hello")
	expect(t, r, exitUsage, `watchbox run: unknown step "jump"; steps are:`)
	got := calls(r.stdout, "dev.watchbox.hello")
	var events []string
	for _, c := range got {
		events = append(events, c.event)
	}
	// background is never applied: the shutdown's did_enter_background ends it.
	want := []string{"did_finish_launching", "will_enter_foreground", "did_become_active", "will_resign_active", "did_enter_background"}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Errorf("calls %v, want %v\n%s", events, want, r)
	}
}

// ----------------------------------------------------------------------------
// Happy paths

var lifeCycleSteps = "wrist-down, background, suspend, purge, wrist-up"

// wantLifeCycle is every call of a run of apps/hello with lifeCycleSteps,
// including the leaving calls at shutdown.
var wantLifeCycle = []callLine{
	{"dev.watchbox.hello", "did_finish_launching", "ok", "inactive"},
	{"dev.watchbox.hello", "will_enter_foreground", "ok", "inactive"},
	{"dev.watchbox.hello", "did_become_active", "ok", "active"},
	{"dev.watchbox.hello", "will_resign_active", "ok", "inactive"}, // wrist-down
	{"dev.watchbox.hello", "did_enter_background", "ok", "background"},
	// the system's app_backgrounded snapshot: hello has no task handler,
	// so the system completes the task
	{"dev.watchbox.hello", "background_tasks", "unhandled", "background"},
	// suspend and purge call nothing; wrist-up is a cold launch.
	{"dev.watchbox.hello", "did_finish_launching", "ok", "inactive"},
	{"dev.watchbox.hello", "will_enter_foreground", "ok", "inactive"},
	{"dev.watchbox.hello", "did_become_active", "ok", "active"},
	// shutdown
	{"dev.watchbox.hello", "will_resign_active", "ok", "inactive"},
	{"dev.watchbox.hello", "did_enter_background", "ok", "background"},
}

func TestRunLifeCycle(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "run", "--data", t.TempDir(), "--steps", lifeCycleSteps, "apps/hello")
	expect(t, r, exitOK, "dev.watchbox.hello: 2 launch(es), 0 crash(es), 0 failed call(s)",
		"did finish launching (launch 1)", "did finish launching (launch 2)")
	got := calls(r.stdout, "dev.watchbox.hello")
	if fmt.Sprint(got) != fmt.Sprint(wantLifeCycle) {
		t.Errorf("calls:\n%v\nwant:\n%v\n%s", got, wantLifeCycle, r)
	}
}

func TestRunLifeCycleJSON(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "run", "--json", "--data", t.TempDir(), "--steps", lifeCycleSteps, "apps/hello")
	expect(t, r, exitOK)
	type record struct {
		Type, Step, App, Event, Status, State, Message, Crash string
		ID                                                    uint64
		Launches, Crashes, Failures                           int
		Interrupted                                           bool
	}
	var recs []record
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v\n%s", line, err, r)
		}
		recs = append(recs, rec)
	}
	var seq []string
	for _, rec := range recs {
		switch rec.Type {
		case "step":
			seq = append(seq, "step "+rec.Step)
		case "call":
			seq = append(seq, fmt.Sprintf("call %s %s %s %s", rec.App, rec.Event, rec.Status, rec.State))
			if rec.Message != "" || rec.Crash != "" || rec.ID == 0 {
				t.Errorf("call record %+v: want an id and no message or crash", rec)
			}
		case "summary":
			seq = append(seq, "summary")
			if rec.App != "dev.watchbox.hello" || rec.Launches != 2 || rec.Crashes != 0 || rec.Failures != 0 || rec.Interrupted {
				t.Errorf("summary %+v, want app dev.watchbox.hello, 2 launches, no crash, no failure, not interrupted", rec)
			}
		default:
			t.Errorf("record of unknown type %q: %+v", rec.Type, rec)
		}
	}
	call := func(i int) string {
		c := wantLifeCycle[i]
		return fmt.Sprintf("call %s %s %s %s", c.app, c.event, c.status, c.state)
	}
	want := []string{
		"step launch", call(0), call(1), call(2),
		"step wrist-down", call(3),
		"step background", call(4), call(5),
		"step suspend", "step purge",
		"step wrist-up", call(6), call(7), call(8),
		call(9), call(10), // shutdown
		"summary",
	}
	if strings.Join(seq, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s\n%s", strings.Join(seq, "\n"), strings.Join(want, "\n"), r)
	}
	// With --json the logs on stderr are JSON lines too.
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("stderr line %q is not JSON", line)
		}
	}
	if !strings.Contains(r.stderr, `"message":"did finish launching (launch 2)"`) {
		t.Errorf("stderr lacks the guest's log of launch 2\n%s", r)
	}
}

// TestLaunchCountPersists runs apps/hello twice with the same data
// directory: the count the app keeps in its container survives.
func TestLaunchCountPersists(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	for i := 1; i <= 2; i++ {
		r := watchbox(t, nil, "run", "--data", data, "--steps", "status", "apps/hello")
		expect(t, r, exitOK, fmt.Sprintf("did finish launching (launch %d)", i), "dev.watchbox.hello  state active, 1 launch(es)")
	}
	b, err := os.ReadFile(filepath.Join(data, "containers", "dev.watchbox.hello", "launches"))
	if err != nil || strings.TrimSpace(string(b)) != "2" {
		t.Errorf("container file launches: %q, %v; want 2", b, err)
	}
}

// TestRunStepsFromStdin pipes steps, with a comment and blank lines.
func TestRunStepsFromStdin(t *testing.T) {
	t.Parallel()
	in := "# a comment\nwrist-down\n\nbackground; wrist-up\nstatus\n"
	r := watchbox(t, strings.NewReader(in), "run", "--data", t.TempDir(), "apps/hello")
	expect(t, r, exitOK, "dev.watchbox.hello  state active, 1 launch(es)", "dev.watchbox.hello: 1 launch(es), 0 crash(es), 0 failed call(s)")
	var events []string
	for _, c := range calls(r.stdout, "dev.watchbox.hello") {
		events = append(events, c.event)
	}
	want := []string{
		"did_finish_launching", "will_enter_foreground", "did_become_active", // launch
		"will_resign_active",                       // wrist-down
		"did_enter_background", "background_tasks", // background, then the system's snapshot
		"will_enter_foreground", "did_become_active", // wrist-up, warm
		"will_resign_active", "did_enter_background", // shutdown
	}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Errorf("calls %v\nwant %v\n%s", events, want, r)
	}
}

func TestInspectHello(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "inspect", "apps/hello")
	expect(t, r, exitOK, "path:        apps/hello", "bundle id:   dev.watchbox.hello", "name:        Hello",
		"abi:         v1", "watchbox.event_read (i32, i32) -> i32", "watchbox_event (i32, i32) -> i32",
		"watchbox_abi_v1", "problems:    none")
	if r.stderr != "" {
		t.Errorf("stderr not empty\n%s", r)
	}

	r = watchbox(t, nil, "inspect", "--json", "apps/hello")
	expect(t, r, exitOK)
	var rep struct {
		Path       string `json:"path"`
		ABIVersion int    `json:"abi_version"`
		Manifest   struct {
			ID string `json:"CFBundleIdentifier"`
		} `json:"manifest"`
		Build *struct {
			Size int `json:"size"`
		} `json:"build"`
		Imports  []struct{ Module, Name, Signature string } `json:"imports"`
		Exports  []struct{ Name, Signature string }         `json:"exports"`
		Problems []any                                      `json:"problems"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r)
	}
	if rep.ABIVersion != 1 || rep.Manifest.ID != "dev.watchbox.hello" || rep.Build == nil || rep.Build.Size == 0 || len(rep.Problems) != 0 {
		t.Errorf("report %+v: want abi_version 1, bundle id dev.watchbox.hello, a build, no problems", rep)
	}
	hasImport, hasEvent, hasMarker := false, false, false
	for _, s := range rep.Imports {
		if s.Module == "watchbox" && s.Name == "event_read" && s.Signature == "(i32, i32) -> i32" {
			hasImport = true
		}
	}
	for _, s := range rep.Exports {
		hasEvent = hasEvent || s.Name == "watchbox_event" && s.Signature == "(i32, i32) -> i32"
		hasMarker = hasMarker || s.Name == "watchbox_abi_v1"
	}
	if !hasImport || !hasEvent || !hasMarker {
		t.Errorf("imports %v, exports %v: want watchbox.event_read, watchbox_event and watchbox_abi_v1", rep.Imports, rep.Exports)
	}
}

func TestBuildCached(t *testing.T) {
	t.Parallel()
	watchbox(t, nil, "build", "apps/hello") // built or already cached
	r := watchbox(t, nil, "build", "apps/hello")
	expect(t, r, exitOK, "apps/hello: ", "(cached, ")

	r = watchbox(t, nil, "build", "--json", "apps/hello")
	expect(t, r, exitOK)
	var rep struct {
		Build struct {
			Path   string `json:"path"`
			Cached bool   `json:"cached"`
			Size   int    `json:"size"`
		} `json:"build"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r)
	}
	if !rep.Build.Cached || rep.Build.Size == 0 || !strings.HasPrefix(rep.Build.Path, sharedCache) {
		t.Errorf("build %+v: want cached, non-empty, in %s\n%s", rep.Build, sharedCache, r)
	}
}

// TestCommandsShareCompiledCode: the watchbox processes compile into the
// wazero cache directory of the test binaries' in-process runtimes, so
// that an app compiled by one is not compiled again by the other (see
// wazeroCacheVersion).
func TestCommandsShareCompiledCode(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	file := writeFile(t, t.TempDir(), "app.wasm", validGuest().module())
	expect(t, watchbox(t, nil, "inspect", "--cache", cache, file), exitOK, "problems:    none")
	entries, err := os.ReadDir(filepath.Join(cache, "wazero"))
	if err != nil {
		t.Fatal(err)
	}
	want := "wazero-" + cacheVersion + "-" + runtime.GOARCH + "-" + runtime.GOOS
	if len(entries) != 1 || entries[0].Name() != want {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the command's wazero cache has %v, want only %s, the test binaries' (is %s still wazero's version variable?)", names, want, wazeroVersionVar)
	}
}

// TestProfileSetShowsItsSource: a value given with --set says it came
// from the command line, not from the default's source.
func TestProfileSetShowsItsSource(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "profile", "--set", "task_time=30s")
	expect(t, r, exitOK, "command line: --set task_time=30s")
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, "launch_time") && strings.Contains(l, "command line") {
			t.Errorf("a key not set on the command line says it was: %q", l)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "version")
	expect(t, r, exitOK, "watchbox ", "(ABI v1, "+runtime.Version()+", wazero v")

	r = watchbox(t, nil, "version", "--json")
	expect(t, r, exitOK)
	var v struct {
		Watchbox string `json:"watchbox"`
		ABI      int    `json:"abi"`
		Go       string `json:"go"`
		Wazero   string `json:"wazero"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r)
	}
	if v.Watchbox == "" || v.ABI != 1 || v.Go != runtime.Version() || !strings.HasPrefix(v.Wazero, "v1.") {
		t.Errorf("version %+v: want a watchbox version, abi 1, go %s, wazero v1.x", v, runtime.Version())
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "help")
	expect(t, r, exitOK, "usage: watchbox COMMAND", "run ", "build ", "inspect ", "version ")
	r = watchbox(t, nil, "run", "-h")
	expect(t, r, exitOK, "usage: watchbox run [flags] BUNDLE", "-steps", "-data")
}

// ----------------------------------------------------------------------------
// Signals and guest failures

// proc is a watchbox process running in the background, with its stdin an
// open pipe.
type proc struct {
	t       *testing.T
	args    []string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	changed chan struct{} // a value after new output
	done    chan struct{} // closed when the process has ended
	err     error         // cmd.Wait's error, once done

	mu             sync.Mutex
	stdout, stderr strings.Builder
}

// procWriter collects one output stream of a proc.
type procWriter struct {
	p *proc
	b *strings.Builder
}

func (w procWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	w.b.Write(b)
	w.p.mu.Unlock()
	select {
	case w.p.changed <- struct{}{}:
	default:
	}
	return len(b), nil
}

// start starts watchbox in the background; the test's cleanup kills it if
// it is still running.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	return startEnv(t, env(t), args...)
}

// startEnv is start with the environment environ.
func startEnv(t *testing.T, environ []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, changed: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd = exec.Command(watchboxBin, args...)
	p.cmd.Dir = repoRoot
	p.cmd.Env = environ
	p.cmd.Stdout = procWriter{p, &p.stdout}
	p.cmd.Stderr = procWriter{p, &p.stderr}
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stdin.Close()
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *proc) result() result {
	p.mu.Lock()
	defer p.mu.Unlock()
	return result{args: p.args, code: -1, stdout: p.stdout.String(), stderr: p.stderr.String()}
}

// waitFor waits until stdout or stderr has s.
func (p *proc) waitFor(s string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.After(timeout)
	for !strings.Contains(p.result().output(), s) {
		select {
		case <-p.changed:
		case <-p.done:
			if !strings.Contains(p.result().output(), s) {
				p.t.Fatalf("watchbox ended before printing %q\n%s", s, p.result())
			}
		case <-deadline:
			p.t.Fatalf("watchbox did not print %q within %v\n%s", s, timeout, p.result())
		}
	}
}

// signalAndWait sends sig and waits up to timeout for the process to end.
// If it does not, it kills the process and fails the test with why.
func (p *proc) signalAndWait(sig os.Signal, timeout time.Duration, why string) result {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("%s: watchbox still running %v after %v; killed it\n%s", why, timeout, sig, p.result())
	}
	r := p.result()
	var ee *exec.ExitError
	switch {
	case p.err == nil:
		r.code = 0
	case errors.As(p.err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		p.t.Fatalf("watchbox did not exit normally after %v: %v\n%s", sig, p.err, r)
	}
	checkNoPanic(p.t, r)
	return r
}

// TestInterrupt sends SIGINT to a run waiting for steps on an open pipe: it
// shuts down cleanly, giving the app its leaving calls.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			p := start(t, "run", "--data", t.TempDir(), "apps/hello")
			p.waitFor("did_become_active", 3*time.Minute) // a cold build of apps/hello may come first
			r := p.signalAndWait(sig, 5*time.Second, "clean shutdown")
			expect(t, r, exitOK, "dev.watchbox.hello: 1 launch(es), 0 crash(es), 0 failed call(s)")
			var events []string
			for _, c := range calls(r.stdout, "dev.watchbox.hello") {
				events = append(events, c.event)
			}
			want := []string{"did_finish_launching", "will_enter_foreground", "did_become_active", "will_resign_active", "did_enter_background"}
			if strings.Join(events, " ") != strings.Join(want, " ") {
				t.Errorf("calls %v, want %v\n%s", events, want, r)
			}
		})
	}
}

// TestInterruptStuckGuest interrupts a run whose guest never returns from
// its handler: Ctrl-C must still end watchbox, reporting the interruption.
func TestInterruptStuckGuest(t *testing.T) {
	t.Parallel()
	g := validGuest()
	g.loop = true
	p := start(t, "run", "--json", "--data", t.TempDir(), "--steps", "status", moduleBundle(t, g.module()))
	p.waitFor("cold launch", time.Minute)
	time.Sleep(200 * time.Millisecond) // into the guest's loop
	r := p.signalAndWait(os.Interrupt, 5*time.Second, "SIGINT must stop a guest stuck in a handler")
	if !strings.Contains(r.stdout, `"interrupted":true`) {
		t.Errorf("no summary with \"interrupted\":true\n%s", r)
	}
	if r.code != exitOK && r.code != exitCrash {
		t.Errorf("exit code %d, want %d (clean shutdown) or %d (the interrupted call counted as a crash)\n%s", r.code, exitOK, exitCrash, r)
	}
}

// chaosRun runs tests/apps/chaos with mode written to its container's /mode.
func chaosRun(t *testing.T, mode string, extra ...string) result {
	t.Helper()
	data := t.TempDir()
	writeFile(t, filepath.Join(data, "containers", "dev.watchbox.test.chaos"), "mode", []byte(mode+"\n"))
	args := append([]string{"run", "--data", data, "--steps", "status"}, extra...)
	return watchbox(t, nil, append(args, "tests/apps/chaos")...)
}

func TestGuestExit(t *testing.T) {
	t.Parallel()
	r := chaosRun(t, "DidBecomeActive exit")
	expect(t, r, exitCrash, "did_become_active", "CRASH", "exited with code 3",
		"dev.watchbox.test.chaos: 1 launch(es), 1 crash(es), 1 failed call(s)")
}

func TestGuestPanic(t *testing.T) {
	t.Parallel()
	r := chaosRun(t, "DidBecomeActive panic")
	expect(t, r, exitCrash, "did_become_active", "error", "panic in did_become_active handler: boom in DidBecomeActive",
		"dev.watchbox.test.chaos: 1 launch(es), 0 crash(es), 1 failed call(s)",
		// where it panicked: the first frame in the app's own code, in the
		// call's line and in its log line
		// (the checkout's path is left out: a cached build may come from
		// another checkout of the same sources)
		"boom in DidBecomeActive (at /", filepath.Join("tests", "apps", "chaos", "main.go")+":", " at=/")
	if strings.Contains(r.output(), "guest-sdk/go/watch.stack()") {
		t.Errorf("the whole stack is printed without --verbose\n%s", r)
	}
}

// TestMisfitDelegateIsExplained: methods that look like delegate methods
// but are not are reported, each with the signature it needs, and a
// launch with no delegate fails saying so (before, every event answered
// unhandled and the run exited 0). A wrong signature is the SDK's to
// report, when the app registers; a misspelled name is the host's, found
// in the sources when it builds the app and repeated at every load (the
// second run takes the build from the cache).
func TestMisfitDelegateIsExplained(t *testing.T) {
	t.Parallel()
	for _, run := range []string{"first", "cached"} {
		r := watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(), "--steps", "status", "tests/apps/misfit")
		t.Logf("%s run", run)
		expect(t, r, exitCrash,
			"WRN watch.Register: main.misfit has method DidFinishLaunching() error, which is not the delegate method DidFinishLaunching, so it is never called; change its signature to DidFinishLaunching()",
			"main.misfit has method HandleBackgroundTasks(watch.Task), which is not the delegate method HandleBackgroundTasks, so it is never called; change its signature to HandleBackgroundTasks(tasks []*watch.Task)",
			"WRN watch.Register: main.misfit has method DidReceiveUserinfo([]byte), which is no delegate method, so it is never called; did you mean DidReceiveUserInfo(payload []byte)?",
			"watch.Register: DidEnterBackground() is declared on *main.misfit, but a main.misfit value was registered, so it is never called; register a pointer (&main.misfit{})",
			"did_finish_launching     error", "watch.Register was given main.misfit, which implements no delegate method",
			"call watch.Register(yourDelegate) from an init function")
	}
}

// TestBuildWarnsOfMisspelledDelegateMethods: watchbox build (and
// inspect) print the build-time check's warnings, and --json carries them.
func TestBuildWarnsOfMisspelledDelegateMethods(t *testing.T) {
	t.Parallel()
	want := "main.misfit has method DidReceiveUserinfo([]byte), which is no delegate method, so it is never called; did you mean DidReceiveUserInfo(payload []byte)?"
	r := watchbox(t, nil, "build", "tests/apps/misfit")
	expect(t, r, exitOK, "warning: watch.Register: "+want)
	r = watchbox(t, nil, "build", "--json", "tests/apps/misfit")
	expect(t, r, exitOK, `"warnings":["watch.Register: `)
	if r = watchbox(t, nil, "build", "apps/hello"); strings.Contains(r.output(), "warning") {
		t.Errorf("a sample app warned:\n%s", r)
	}
}

// TestGuestPanicVerbose: --verbose prints the whole stack the SDK sent.
func TestGuestPanicVerbose(t *testing.T) {
	t.Parallel()
	r := chaosRun(t, "DidBecomeActive panic", "--verbose")
	expect(t, r, exitCrash, "(at ", "    github.com/watchbox/watchbox/guest-sdk/go/watch.stack()", "    main.act(", "main.go:")
}

// TestCPUKillExplained: a call that spends its CPU budget is explained
// with the call, the profile key and its value, the fuel and what to do,
// and its log line says it crashed.
func TestCPUKillExplained(t *testing.T) {
	t.Parallel()
	// A slow device (10 M instructions/s) makes the 50 ms budget 500,000
	// fuel, which the host runs in about a millisecond: the fuel runs out
	// long before the 50 ms wall-clock deadline, however loaded the machine.
	r := chaosRun(t, "DidBecomeActive spin", "--set", "lifecycle_time=50ms", "--set", "instruction_rate=10000000")
	expect(t, r, exitCrash, "cpu_time_exceeded: did_become_active used its whole CPU budget, lifecycle_time=50ms (500000 fuel; it used ",
		"raise it with --set lifecycle_time=100ms, or move the work to a background task", "status=crash termination=cpu_time_exceeded")
	if strings.Contains(r.stderr, "status=ok termination") {
		t.Errorf("the log line of a crash says status=ok\n%s", r)
	}
}

// TestInstantiateCrash: a module whose _initialize traps crashes while
// starting: exit 4, the trap in the output.
func TestInstantiateCrash(t *testing.T) {
	t.Parallel()
	g := validGuest()
	g.initTrap = true
	dir := moduleBundle(t, g.module())
	r := watchbox(t, nil, runArgs(t, dir)...)
	expect(t, r, exitCrash, "instantiate", "CRASH", "_initialize", "unreachable",
		"dev.watchbox.test.bad: 1 launch(es), 1 crash(es), 1 failed call(s)")
	if strings.Contains(r.stdout, "did_finish_launching") {
		t.Errorf("did_finish_launching was delivered to an instance that failed to start\n%s", r)
	}
}

// TestInstantiateCrashJSON: the JSON record of a crash while starting names
// the call as the text output does.
func TestInstantiateCrashJSON(t *testing.T) {
	t.Parallel()
	g := validGuest()
	g.initTrap = true
	r := watchbox(t, nil, runArgs(t, moduleBundle(t, g.module()), "--json")...)
	expect(t, r, exitCrash)
	found := false
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec struct{ Type, Event, Status, Crash string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", line, err)
		}
		if rec.Type == "call" {
			found = true
			if !strings.Contains(rec.Crash, "unreachable") {
				t.Errorf("crash %q, want the trap", rec.Crash)
			}
			if rec.Event != "instantiate" {
				t.Errorf(`the record of a crash while starting has "event":%q, want "instantiate" as in the text output: %s`, rec.Event, line)
			}
			if rec.Status == "ok" {
				t.Errorf(`the record of a crash has "status":"ok": %s`, line)
			}
		}
	}
	if !found {
		t.Errorf("no call record\n%s", r)
	}
}

// TestGuestExitJSON: a crashed call's JSON record must not claim status
// "ok", or a consumer that filters on status misses the crash.
func TestGuestExitJSON(t *testing.T) {
	t.Parallel()
	r := chaosRun(t, "DidBecomeActive exit", "--json")
	expect(t, r, exitCrash)
	found := false
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec struct{ Type, Event, Status, Crash string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", line, err)
		}
		if rec.Type == "call" && rec.Event == "did_become_active" {
			found = true
			if rec.Crash != "exited with code 3" {
				t.Errorf("crash %q, want %q", rec.Crash, "exited with code 3")
			}
			if rec.Status == "ok" {
				t.Errorf(`the crashed call's record has "status":"ok": %s`, line)
			}
		}
	}
	if !found {
		t.Errorf("no call record for did_become_active\n%s", r)
	}
}
