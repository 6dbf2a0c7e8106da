package host

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/internal/procstatus"
)

// The RSS figures of docs/performance.md. They measure the whole test
// process, so each runs alone, in a process of its own, and only when
// WATCHBOX_RSS is set (Linux: /proc/self/status):
//
//	WATCHBOX_RSS=1 go test -run 'TestRSS200Apps$' -v ./host/
//	WATCHBOX_RSS=1 go test -run 'TestRSSHostileApp$' -v ./host/
//	WATCHBOX_RSS=oom go test -run 'TestRSSHostileApp$' -v ./host/  (or stdout, notify, download: one part alone)

// procKB returns field (VmRSS, VmHWM) of /proc/self/status in KiB.
func procKB(t *testing.T, field string) int64 {
	t.Helper()
	n, err := procstatus.Bytes(field)
	if err != nil {
		t.Skip(err)
	}
	return n >> 10
}

// rssMiB returns the process's resident memory in MiB after a GC that gives
// freed memory back to the system.
func rssMiB(t *testing.T) float64 {
	runtime.GC()
	debug.FreeOSMemory()
	return float64(procKB(t, "VmRSS")) / 1024
}

// resetPeak resets VmHWM to the current RSS (Linux 4.0 and later).
func resetPeak(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak RSS: %v", err)
	}
}

func rssOnly(t *testing.T) {
	if os.Getenv("WATCHBOX_RSS") == "" {
		t.Skip("a figure for docs/performance.md: set WATCHBOX_RSS=1 and run it alone")
	}
	warmCaches.Do(warmTestCache)
}

// TestRSS200Apps loads 200 copies of apps/hello (one module, 200 bundle
// ids), launches each, sends each to the background, then forces one
// refresh task on each, and reports the process's RSS at every stage.
func TestRSS200Apps(t *testing.T) {
	rssOnly(t)
	ctx := context.Background()
	wasm, _, err := bundle.Build(ctx, helloDir, bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	nop := zerolog.Nop()
	rt, err := New(ctx, Config{CacheDir: testCache, DataDir: t.TempDir(), Logger: &nop, Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	base := rssMiB(t)
	resetPeak(t)
	t.Logf("runtime, no app: %.0f MiB", base)
	const n = 200
	var apps []*App
	for i := range n {
		dir := filepath.Join(root, strconv.Itoa(i))
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "app.wasm"), wasm, 0o644)
		os.WriteFile(filepath.Join(dir, "watchapp.json"), []byte(fmt.Sprintf(`{"CFBundleIdentifier": "dev.watchbox.rss.a%d", "CFBundleDisplayName": "A", "abiVersion": 1, "memoryLimit": "64MiB", "dataQuota": "1MiB", "module": "app.wasm"}`, i)), 0o644)
		a, err := rt.Load(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a)
	}
	loaded := rssMiB(t)
	t.Logf("%d apps loaded, none running: %.0f MiB (%.2f MiB an app)", n, loaded, (loaded-base)/n)
	for _, a := range apps {
		must(t, a.Launch(ctx))
		must(t, a.EnterBackground(ctx))
	}
	launched := rssMiB(t)
	t.Logf("%d apps launched, in the background: %.0f MiB (%.2f MiB an app)", n, launched, (launched-base)/n)
	for _, a := range apps {
		must(t, a.Tasks().Force(ctx, ForcedTask{Kind: abi.TaskApplicationRefresh}))
	}
	must(t, rt.RunFor(ctx, time.Minute))
	refreshed := rssMiB(t)
	t.Logf("after one refresh each: %.0f MiB (%.2f MiB an app); peak %.0f MiB", refreshed, (refreshed-base)/n, float64(procKB(t, "VmHWM"))/1024)
}

// zeros is an endless download body.
type zeros struct{}

func (zeros) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: io.NopCloser(io.LimitReader(zeroReader{}, 1<<30)), Header: http.Header{}, Request: r}, nil
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestRSSHostileApp runs the worst app of issue 9 with the default
// profile: it grows its memory to its memoryLimit (32 MiB, then it is
// killed), writes a 200 MB line to stdout, schedules 500 notifications and
// starts 100 downloads of an endless body; it reports the process's peak
// RSS over a runtime with the app loaded and not running.
func TestRSSHostileApp(t *testing.T) {
	rssOnly(t)
	ctx := context.Background()
	nop := zerolog.Nop()
	rt, err := New(ctx, Config{CacheDir: testCache, DataDir: t.TempDir(), Logger: &nop, Virtual: true,
		HTTPClient: &http.Client{Transport: zeros{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	a, err := rt.Load(ctx, chaosDir)
	if err != nil {
		t.Fatal(err)
	}
	// WATCHBOX_RSS=stdout (notify, download, oom) runs that part alone.
	part := os.Getenv("WATCHBOX_RSS")
	all := part == "1"
	var mode []string
	if all || part == "stdout" {
		mode = append(mode, "DidFinishLaunching stdout 200000000")
	}
	if all || part == "notify" {
		for i := range 500 {
			mode = append(mode, fmt.Sprintf("DidFinishLaunching notify n%d %dm", i, 1+i))
		}
	}
	if all || part == "download" {
		for i := range 100 {
			mode = append(mode, fmt.Sprintf("DidFinishLaunching download d%d https://weather.example/x", i))
		}
	}
	if all || part == "oom" {
		mode = append(mode, "DidBecomeActive oom")
	}
	os.WriteFile(filepath.Join(a.Container(), "mode"), []byte(strings.Join(mode, "\n")), 0o644)
	base := rssMiB(t)
	resetPeak(t)
	t.Logf("runtime with the app loaded: %.0f MiB (peak reset to %.0f MiB)", base, float64(procKB(t, "VmHWM"))/1024)
	a.Launch(ctx) // it is killed in did_become_active
	must(t, rt.RunFor(ctx, time.Minute))
	peak := float64(procKB(t, "VmHWM")) / 1024
	rules := map[string]int{}
	for _, d := range a.Why() {
		rules[d.Rule]++
	}
	t.Logf("crashes %d; decisions %v", a.Crashes().Count(), rules)
	t.Logf("after the hostile app: %.0f MiB; peak %.0f MiB, %.0f MiB over the loaded runtime (memoryLimit %v)", rssMiB(t), peak, peak-base, a.Manifest().MemoryLimit)
}
