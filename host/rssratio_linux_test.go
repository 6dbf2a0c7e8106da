//go:build linux

package host

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/linmem"
	"github.com/watchbox/watchbox/host/meter"
)

// The bare-instance reference of issue 10, part 4 (memory per app: at most
// 1.2x a bare wazero instance of the same module), measured beside the
// apps in one run:
//
//	WATCHBOX_RSS=1 go test -run 'TestRSSBareRatio$' -v -timeout 60m ./host/
//
// WATCHBOX_RSS_APPS lists the numbers of apps with identical modules
// (default 1,10,50,200), WATCHBOX_RSS_DISTINCT those with distinct ones
// (default 1,10: each distinct module is compiled once, a few seconds of
// CPU each); an empty list runs none. Every figure comes from a process of its own (RSS is the
// process's): the test runs itself once per side and number of apps.

// rssSides are the four ways N instances of the same module are made,
// each in its own process:
//   - bare: a wazero runtime with the runtime's configuration (compilation
//     cache, memory limit, WASI, the meter's refuel module, the watchbox
//     host module with stub functions), the metered module compiled once
//     per distinct module and instantiated N times, each instance's
//     _initialize run under a meter.Gauge; wazero's own linear memory.
//   - bare-linmem: the same with watchbox's linear memory (package linmem).
//   - instance: N apps loaded in a watchbox Runtime and each one's Guest
//     instantiated (its _initialize run) without any event: the host's
//     share of an instance, the same guest work as bare.
//   - launched: N apps loaded, launched and sent to the background, as
//     TestRSS200Apps: the app figure, which adds the guest's own work for
//     its launch events.
var rssSides = []string{"bare", "bare-linmem", "instance", "launched"}

// rssCell is one process's figures: bytes, after a GC that gives freed
// memory back to the system.
type rssCell struct {
	Side, Kind string
	N          int
	Base       int64  // the runtime, nothing compiled or loaded
	Code       int64  // the modules compiled (bare) or the apps loaded
	Live       int64  // the N instances
	Linear     uint64 // resident pages of the N linear memories
	HeapCode   uint64 // Go heap in use at Code
	HeapLive   uint64 // Go heap in use at Live
	Kept       uint64 // linmem's pool of closed memories' resident pages, at Live
	Closed     int64  // the N instances closed (bare) or killed (instance) or the apps purged (launched)
	KeptClosed uint64 // linmem's pool at Closed
	MemSize    uint64 // the N linear memories' sizes (memory.size)
}

// TestRSSBareRatio prints, for N apps of one module (identical) and of N
// modules (distinct), the resident memory an instance costs on each side
// (rssSides), and the ratio of watchbox's to the bare instance's.
func TestRSSBareRatio(t *testing.T) {
	if cell := os.Getenv("WATCHBOX_RSS_CELL"); cell != "" {
		runRSSCell(t, cell)
		return
	}
	if os.Getenv("WATCHBOX_RSS") == "" {
		t.Skip("a figure for docs/performance.md: set WATCHBOX_RSS=1 and run it alone")
	}
	counts := func(env, def string) []int {
		s, set := os.LookupEnv(env) // set and empty: none
		if !set {
			s = def
		}
		var ns []int
		for _, f := range strings.Split(s, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 {
				t.Fatalf("%s=%q: want numbers of apps, such as 1,10,50", env, s)
			}
			ns = append(ns, n)
		}
		return ns
	}
	plan := map[string][]int{
		"identical": counts("WATCHBOX_RSS_APPS", "1,10,50,200"),
		"distinct":  counts("WATCHBOX_RSS_DISTINCT", "1,10"),
	}
	root := t.TempDir()
	for _, kind := range []string{"identical", "distinct"} {
		if len(plan[kind]) > 0 {
			prepareRSSApps(t, root, kind, maxInt(plan[kind]))
		}
	}
	for _, kind := range []string{"identical", "distinct"} {
		for _, n := range plan[kind] {
			cells := map[string]rssCell{}
			for _, side := range rssSides {
				cells[side] = runRSSChild(t, root, side, kind, n)
			}
			logRSSCells(t, kind, n, cells)
		}
	}
}

func maxInt(ns []int) int {
	m := 0
	for _, n := range ns {
		m = max(m, n)
	}
	return m
}

// prepareRSSApps writes n bundles of apps/hello under root/kind (distinct:
// each module with a custom section of its own, so a different module to
// wazero), loads them once in a throwaway runtime so that the children find
// them built, metered and compiled, and writes each app's metered module,
// which the bare sides compile, beside it.
func prepareRSSApps(t *testing.T, root, kind string, n int) {
	ctx := context.Background()
	wasm, _, err := bundle.Build(ctx, helloDir, bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	if err != nil {
		t.Fatal(err)
	}
	nop := zerolog.Nop()
	rt, err := New(ctx, Config{CacheDir: testCache, DataDir: t.TempDir(), Logger: &nop, Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	for i := range n {
		dir := filepath.Join(root, kind, strconv.Itoa(i))
		must(t, os.MkdirAll(dir, 0o755))
		id := fmt.Sprintf("dev.watchbox.rss.%s%d", kind, i)
		mod := wasm
		if kind == "distinct" {
			mod = withCustomSection(wasm, id)
		}
		must(t, os.WriteFile(filepath.Join(dir, "app.wasm"), mod, 0o644))
		must(t, os.WriteFile(filepath.Join(dir, "watchapp.json"), []byte(fmt.Sprintf(`{"CFBundleIdentifier": %q, "CFBundleDisplayName": "A", "abiVersion": 1, "memoryLimit": "64MiB", "dataQuota": "1MiB", "module": "app.wasm"}`, id)), 0o644))
		b, err := bundle.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		c, err := rt.loader.meter(dir, "app.wasm", b.Manifest, bundle.NewModule("app.wasm", mod))
		if err != nil {
			t.Fatal(err)
		}
		must(t, os.WriteFile(filepath.Join(dir, "metered.wasm"), c.wasm, 0o644))
		c.release()
		if kind == "identical" && i > 0 {
			continue // the same module: compiled once
		}
		if _, err := rt.Load(ctx, dir); err != nil {
			t.Fatal(err)
		}
	}
}

// runRSSChild runs one side of one cell in a process of its own.
func runRSSChild(t *testing.T, root, side, kind string, n int) rssCell {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestRSSBareRatio$", "-test.v", "-test.timeout", "30m")
	cmd.Env = append(os.Environ(), "WATCHBOX_RSS_CELL="+strings.Join([]string{side, kind, strconv.Itoa(n), root}, ","))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s %d: %v\n%s", side, kind, n, err, out.String())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if _, js, ok := strings.Cut(sc.Text(), "RSSCELL "); ok {
			var c rssCell
			must(t, json.Unmarshal([]byte(js), &c))
			return c
		}
	}
	t.Fatalf("%s %s %d: no figures\n%s", side, kind, n, out.String())
	return rssCell{}
}

// runRSSCell measures one side (see rssSides) of one cell, "side,kind,n,root",
// in this process, and prints its figures.
func runRSSCell(t *testing.T, spec string) {
	f := strings.Split(spec, ",")
	if len(f) != 4 {
		t.Fatalf("WATCHBOX_RSS_CELL=%q: want side,kind,n,root", spec)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		t.Fatal(err)
	}
	c := rssCell{Side: f[0], Kind: f[1], N: n}
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = filepath.Join(f[3], c.Kind, strconv.Itoa(i))
	}
	switch c.Side {
	case "bare", "bare-linmem":
		bareRSS(t, &c, dirs)
	case "instance", "launched":
		appRSS(t, &c, dirs)
	default:
		t.Fatalf("WATCHBOX_RSS_CELL=%q: no side %q", spec, c.Side)
	}
	js, _ := json.Marshal(c)
	fmt.Printf("RSSCELL %s\n", js)
}

// rssNow is the process's RSS in bytes and the Go heap in use, after a GC
// that gives freed memory back to the system.
func rssNow(t *testing.T) (int64, uint64) {
	r := int64(rssMiB(t) * (1 << 20))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return r, ms.HeapInuse
}

// residentOf adds the resident pages and the size of mod's linear memory.
func residentOf(t *testing.T, c *rssCell, mod api.Module) {
	mem := mod.Memory()
	buf, ok := mem.Read(0, mem.Size())
	if !ok {
		t.Fatal("cannot read an instance's memory")
	}
	r, ok := linmem.Resident(buf)
	if !ok {
		t.Skip("mincore is not available")
	}
	c.Linear += r
	c.MemSize += uint64(mem.Size())
}

// bareRSS instantiates the metered modules of dirs in a bare wazero runtime
// configured as the apps' (see rssSides).
func bareRSS(t *testing.T, c *rssCell, dirs []string) {
	ctx := context.Background()
	if c.Side == "bare-linmem" {
		ctx = experimental.WithMemoryAllocator(ctx, linmem.Allocator())
	}
	c.Base, _ = rssNow(t)
	cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(testCache, "wazero"))
	if err != nil {
		t.Fatal(err)
	}
	wr := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().
		WithCompilationCache(cache).
		WithMemoryLimitPages(bundle.Size(64<<20).Pages()))
	defer wr.Close(ctx)
	_, err = wasi_snapshot_preview1.Instantiate(ctx, wr)
	must(t, err)
	must(t, meter.NewHostModule(ctx, wr))
	hb := wr.NewHostModuleBuilder(abi.ImportModule)
	i32 := api.ValueTypeI32
	noEvent := -int32(abi.StatusNoEvent) // what the host answers outside a call
	stub := api.GoModuleFunc(func(_ context.Context, _ api.Module, stack []uint64) {
		stack[0] = uint64(uint32(noEvent))
	})
	for name, params := range map[string][]api.ValueType{
		abi.FuncEventRead: {i32, i32}, abi.FuncEventReply: {i32, i32}, abi.FuncLog: {i32, i32, i32},
		abi.FuncRequest: {i32, i32, i32}, abi.FuncResultRead: {i32, i32},
	} {
		hb.NewFunctionBuilder().WithGoModuleFunction(stub, params, []api.ValueType{i32}).Export(name)
	}
	_, err = hb.Instantiate(ctx)
	must(t, err)
	// Each distinct module compiled once, from its bytes on disk, which are
	// then dropped (the apps' meter cache entries are released too).
	compiled := map[string]wazero.CompiledModule{}
	mods := make([]wazero.CompiledModule, len(dirs))
	for i, dir := range dirs {
		wasm, err := os.ReadFile(filepath.Join(dir, "metered.wasm"))
		must(t, err)
		key := string(wasm) // the identical modules are one
		if compiled[key] == nil {
			cm, err := wr.CompileModule(ctx, wasm)
			must(t, err)
			compiled[key] = cm
		}
		mods[i] = compiled[key]
	}
	compiled = nil
	c.Code, c.HeapCode = rssNow(t)
	var live []api.Module
	for i, cm := range mods {
		mc := wazero.NewModuleConfig().WithName("").WithArgs(strconv.Itoa(i)).
			WithStdout(io.Discard).WithStderr(io.Discard).
			WithSysWalltime().WithSysNanotime().WithSysNanosleep().
			WithRandSource(rand.Reader).WithStartFunctions()
		mod, err := wr.InstantiateModule(ctx, cm, mc)
		must(t, err)
		g, err := meter.NewGauge(mod)
		must(t, err)
		if _, outcome, _, err := g.Call(ctx, mod.ExportedFunction(abi.ExportInitialize), meter.MaxFuel, time.Now().Add(time.Minute)); err != nil {
			t.Fatalf("_initialize: %v: %v", outcome, err)
		}
		live = append(live, mod)
	}
	c.Live, c.HeapLive = rssNow(t)
	for _, mod := range live {
		residentOf(t, c, mod)
	}
	c.Kept = linmem.Kept()
	heapProfile(t)
	for _, mod := range live {
		must(t, mod.Close(ctx))
	}
	live = nil // a closed instance still holds wazero's memory
	c.Closed, _ = rssNow(t)
	c.KeptClosed = linmem.Kept()
}

// appRSS loads the apps of dirs in a watchbox Runtime and instantiates
// (instance) or launches (launched) each.
func appRSS(t *testing.T, c *rssCell, dirs []string) {
	ctx := context.Background()
	nop := zerolog.Nop()
	rt, err := New(ctx, Config{CacheDir: testCache, DataDir: t.TempDir(), Logger: &nop, Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	c.Base, _ = rssNow(t)
	var apps []*App
	for _, dir := range dirs {
		a, err := rt.Load(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a)
	}
	c.Code, c.HeapCode = rssNow(t)
	for i, a := range apps {
		if c.Side == "instance" {
			a.sys.Lock()
			err := a.sys.Guest.Instantiate(ctx, uint64(i+1), 20*time.Second)
			a.sys.Unlock()
			must(t, err)
			continue
		}
		must(t, a.Launch(ctx))
		must(t, a.EnterBackground(ctx))
	}
	c.Live, c.HeapLive = rssNow(t)
	for _, a := range apps {
		if mod := a.sys.Guest.Module(); mod != nil {
			residentOf(t, c, mod)
		}
	}
	c.Kept = linmem.Kept()
	heapProfile(t)
	for _, a := range apps {
		if c.Side == "instance" {
			a.sys.Lock()
			a.sys.Guest.Kill(ctx)
			a.sys.Unlock()
			continue
		}
		must(t, a.Purge(ctx))
	}
	c.Closed, _ = rssNow(t)
	c.KeptClosed = linmem.Kept()
}

// heapProfile writes the Go heap's profile to $WATCHBOX_HEAP_PROFILE.side,
// if set.
func heapProfile(t *testing.T) {
	p := os.Getenv("WATCHBOX_HEAP_PROFILE")
	if p == "" {
		return
	}
	side, _, _ := strings.Cut(os.Getenv("WATCHBOX_RSS_CELL"), ",")
	f, err := os.Create(p + "." + side)
	must(t, err)
	defer f.Close()
	must(t, pprof.Lookup("heap").WriteTo(f, 0))
}

// logRSSCells prints one cell's sides and their ratios to the bare instance.
func logRSSCells(t *testing.T, kind string, n int, cells map[string]rssCell) {
	mib := func(b float64) float64 { return b / (1 << 20) }
	per := func(c rssCell) float64 { return mib(float64(c.Live-c.Code) / float64(c.N)) }
	whole := func(c rssCell) float64 { return mib(float64(c.Live-c.Base) / float64(c.N)) }
	bare := cells["bare"]
	t.Logf("%s, %d apps:", kind, n)
	t.Logf("  %-12s %10s %10s %10s %10s %10s %10s %8s %10s %8s %8s", "side", "base", "code/load", "live", "inst/app", "linear/app", "heap/app", "kept", "closed", "kept", "ratio")
	for _, side := range rssSides {
		c := cells[side]
		t.Logf("  %-12s %8.1f M %8.1f M %8.1f M %8.2f M %8.2f M %8.2f M %6.1f M %8.1f M %6.1f M  %5.2fx (whole %.2fx)", side,
			mib(float64(c.Base)), mib(float64(c.Code)), mib(float64(c.Live)), per(c),
			mib(float64(c.Linear)/float64(c.N)), mib((float64(c.HeapLive)-float64(c.HeapCode))/float64(c.N)),
			mib(float64(c.Kept)), mib(float64(c.Closed)), mib(float64(c.KeptClosed)), per(c)/per(bare), whole(c)/whole(bare))
	}
}
