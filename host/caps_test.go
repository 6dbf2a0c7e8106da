package host

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// capsHarness is a virtual-clock harness with a profile set from set, its
// decisions collected.
func capsHarness(t *testing.T, client *http.Client, set ...string) (*harness, *[]Decision) {
	t.Helper()
	var ds []Decision
	var mu sync.Mutex
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		Profile: budgetProfile(t, set...), HTTPClient: client,
		OnDecision: func(d Decision) { mu.Lock(); ds = append(ds, d); mu.Unlock() }})
	return h, &ds
}

// TestDownloadsBeyondTheConcurrentCapAreRefused: an app may have at most
// max_concurrent_downloads downloads started and not yet finished; the
// next is refused with status limit and a decision that names the numbers,
// and once they finish the app may start more.
func TestDownloadsBeyondTheConcurrentCapAreRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, ds := capsHarness(t, &http.Client{Transport: routes{"/f": "body"}}, "max_concurrent_downloads=2")
	a := chaos(t, h,
		"DidFinishLaunching download d1 https://weather.example/f",
		"DidFinishLaunching download d2 https://weather.example/f",
		"DidFinishLaunching download d3 https://weather.example/f",
		"Tasks complete")
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	starts := h.guestLines("chaos: download")
	if len(starts) != 3 || starts[0] != "chaos: download d1: <nil>" || starts[1] != "chaos: download d2: <nil>" ||
		!strings.HasPrefix(starts[2], "chaos: download d3: ") || !strings.Contains(starts[2], "limit") {
		t.Fatalf("starts = %q, want d3 refused with status limit", starts)
	}
	refused := decisionsWith(*ds, "url_session.concurrent_limit")
	if len(refused) != 1 || !strings.Contains(refused[0], "download d3 refused: 2 of 2 concurrent downloads in progress") {
		t.Fatalf("refusals = %q", refused)
	}
	for _, d := range *ds {
		if d.Rule == "url_session.concurrent_limit" && (d.Numbers["active"] != 2 || d.Numbers["limit"] != 2 || d.Verdict != "drop") {
			t.Errorf("refusal %+v", d)
		}
	}
	must(t, h.rt.RunFor(ctx, time.Minute)) // d1 and d2 finish
	setMode(t, a, "WillEnterForeground download d4 https://weather.example/f", "Tasks complete")
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Minute))
	if got := h.guestLines("chaos: download d4"); len(got) != 1 || got[0] != "chaos: download d4: <nil>" {
		t.Errorf("after the first two finished: %q", got)
	}
}

// TestFailedRedownloadKeepsTheEarlierFile: a second download with the same
// identifier that fails on the data quota leaves the earlier file as it
// was, and no temporary file behind (issue 9, item 11).
func TestFailedRedownloadKeepsTheEarlierFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	big := strings.Repeat("x", 100<<10) // over the chaos app's 64 KiB quota
	h, _ := capsHarness(t, &http.Client{Transport: routes{"/small": "hello", "/big": big}})
	a := chaos(t, h, "DidFinishLaunching download d1 https://weather.example/small", "Tasks complete")
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	must(t, h.rt.RunFor(ctx, time.Minute))
	setMode(t, a, "WillEnterForeground download d1 https://weather.example/big", "Tasks complete")
	must(t, a.Purge(ctx))
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Minute))
	var got []string
	for _, l := range h.guestLines("chaos: task") {
		if strings.Contains(l, "url_session") {
			got = append(got, l[strings.Index(l, "url_session"):])
		}
	}
	if len(got) != 2 || got[0] != `url_session d1 status 200 file "/Downloads/d1" "hello" error ""` ||
		!strings.HasPrefix(got[1], `url_session d1 status 200 file "" "" error "storing`) {
		t.Fatalf("url_session tasks:\n%s", strings.Join(got, "\n"))
	}
	b, err := os.ReadFile(filepath.Join(a.Container(), "Downloads", "d1"))
	if err != nil || string(b) != "hello" {
		t.Errorf("after the failed download, /Downloads/d1 = %q, %v; want the earlier \"hello\"", b, err)
	}
	assertNoTempFiles(t, a)
}

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	return len(p), nil
}

type endlessRoute struct{}

func (endlessRoute) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: io.NopCloser(endless{}), Header: http.Header{}, Request: r}, nil
}

// TestDownloadIsStreamedAndCappedInSize: a body that never ends is
// streamed to disk and stopped at max_download_size (here under the
// quota), the task says why, and no file is left.
func TestDownloadIsStreamedAndCappedInSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, _ := capsHarness(t, &http.Client{Transport: endlessRoute{}}, "max_download_size=40000")
	a := chaos(t, h, "DidFinishLaunching download d1 https://weather.example/endless", "Tasks complete")
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	must(t, h.rt.RunFor(ctx, time.Minute))
	got := h.guestLines("chaos: task 2 url_session")
	if len(got) != 1 || !strings.Contains(got[0], `error "body over max_download_size (40000 bytes)"`) {
		t.Fatalf("task: %q", got)
	}
	if _, err := os.Stat(filepath.Join(a.Container(), "Downloads", "d1")); !os.IsNotExist(err) {
		t.Errorf("/Downloads/d1 exists after a failed download: %v", err)
	}
	assertNoTempFiles(t, a)
}

func assertNoTempFiles(t *testing.T, a *App) {
	t.Helper()
	es, _ := os.ReadDir(filepath.Join(a.Container(), ".watchbox-downloads"))
	for _, e := range es {
		t.Errorf("temporary file left: %s", e.Name())
	}
}

// TestPendingNotificationsKeepTheSoonest: at most
// max_pending_notifications stay pending, the soonest-firing (a repeating
// one counts); each one beyond is dropped, the latest-firing first, with a
// decision (issue 9, item 4).
func TestPendingNotificationsKeepTheSoonest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, ds := capsHarness(t, nil, "max_pending_notifications=3")
	a := chaos(t, h,
		"DidFinishLaunching notify r1 1m repeat", // pending: r1@09:01
		"DidFinishLaunching notify n1 10m",       // r1, n1@09:10
		"DidFinishLaunching notify n2 3m",        // r1, n1, n2@09:03
		"DidFinishLaunching notify n3 20m",       // n3@09:20 is the latest: dropped
		"DidFinishLaunching notify n4 2m",        // n4@09:02: n1 is now the latest, dropped
		"Tasks complete")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 30*time.Minute))
	dropped := decisionsWith(*ds, "notification.pending_limit")
	equal(t, "dropped", dropped, []string{
		"09:00:00 dev.watchbox.test.chaos: notification n3 for 09:20:00 dropped: 4 pending, the system keeps the 3 soonest-firing (max_pending_notifications) [notification.pending_limit]",
		"09:00:00 dev.watchbox.test.chaos: notification n1 for 09:10:00 dropped: 4 pending, the system keeps the 3 soonest-firing (max_pending_notifications) [notification.pending_limit]",
	})
	for _, d := range *ds {
		if d.Rule == "notification.pending_limit" && (d.Numbers["pending"] != 4 || d.Numbers["limit"] != 3 || d.Verdict != "drop") {
			t.Errorf("drop %+v", d)
		}
	}
	presented := map[string]int{}
	for _, d := range *ds {
		if d.Rule == "notification.presented" {
			presented[strings.Fields(d.Reason)[1]]++
		}
	}
	if presented["n1"] != 0 || presented["n3"] != 0 || presented["n2"] != 1 || presented["n4"] != 1 || presented["r1"] < 25 {
		t.Errorf("presented = %v; want n2 and n4 once, r1 every minute, never n1 or n3", presented)
	}
}

// TestDecisionLogHasAShareForEachApp: an app that makes many decisions
// (here, notifications dropped over max_pending_notifications) keeps only
// its last max_decisions_per_app, and another app's decisions stay in
// why (issue 9: the log was shared, 10,000 for the whole runtime).
func TestDecisionLogHasAShareForEachApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, ds := capsHarness(t, nil, "max_pending_notifications=1", "max_decisions_per_app=10")
	hello := h.load(t, helloDir)
	must(t, hello.Tasks().Force(ctx, ForcedTask{Kind: abi.TaskApplicationRefresh}))
	quiet := hello.Why()
	if len(quiet) == 0 {
		t.Fatal("no decision about hello")
	}
	var mode []string
	for i := range 30 {
		mode = append(mode, fmt.Sprintf("DidFinishLaunching notify n%02d %dm", i, 60-i))
	}
	noisy := chaos(t, h, mode...)
	must(t, noisy.Launch(ctx))
	if n := len(*ds) - len(quiet); n < 59 {
		t.Fatalf("chaos made %d decisions, want at least 59 (30 scheduled, 29 dropped)", n)
	}
	why := noisy.Why()
	if len(why) > 10 || len(why) < 5 {
		t.Errorf("why(chaos) keeps %d decisions, want at most max_decisions_per_app=10 and at least half of it", len(why))
	}
	if last := why[len(why)-1]; last.Rule != "notification.pending_limit" || !strings.Contains(last.Reason, "n28") {
		t.Errorf("the newest decision kept is %v, want the last drop (n28)", last)
	}
	if got := hello.Why(); len(got) != len(quiet) {
		t.Errorf("why(hello) = %d decisions after chaos's %d, want its %d", len(got), len(*ds), len(quiet))
	}
}
