package host

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/internal/durable"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// pendingStateFile writes, in a new state directory, a state file of the
// chaos app holding n pending notifications n0..n(n-1), an hour after
// start and a second apart, and returns the directory.
func pendingStateFile(tb testing.TB, start time.Time, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"app":%q,"features":{"notifications":{"pending":[`, chaosID)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"n%d","at":%q,"seq":%d}`, i, start.Add(time.Hour+time.Duration(i)*time.Second).Format(time.RFC3339), i+1)
	}
	b.WriteString(`]}}}`)
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, chaosID+".state"), durable.Encode([]byte(b.String())), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// TestStateFileOverThePendingCap restores a state file holding more
// pending notifications than max_pending_notifications (a profile with a
// larger cap wrote it, or a hand): the soonest-firing ones stay pending
// and each other one is dropped with a decision, the latest-firing first,
// as when the app schedules past the cap.
func TestStateFileOverThePendingCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	const saved = 200
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, Start: start, StateDir: pendingStateFile(t, start, saved),
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	limit := h.rt.cfg.Profile.MaxPendingNotifications
	if _, err := h.rt.Load(ctx, chaosDir); err != nil {
		t.Fatal(err)
	}
	dropped := decisionsWith(ds, policy.RuleNotificationPendingLimit)
	if len(dropped) != saved-limit {
		t.Fatalf("%d notifications dropped, want %d: %q", len(dropped), saved-limit, dropped)
	}
	for i, d := range dropped {
		id, pending := saved-1-i, saved-i
		if want := fmt.Sprintf("notification n%d for ", id); !strings.Contains(d, want) || !strings.Contains(d, fmt.Sprintf("dropped: %d pending", pending)) {
			t.Errorf("drop %d: %s; want n%d dropped with %d pending", i, d, id, pending)
		}
	}
}

// BenchmarkRestoreManyPending loads the chaos app from a state file of
// 8,000 pending notifications, 7,936 over the cap. Dropping them scanned
// every pending notification for each one dropped (about 1.6 s of CPU a
// load, growing with the square of the count); they are sorted once now.
func BenchmarkRestoreManyPending(b *testing.B) {
	benchRestore(b, func(start time.Time) string { return pendingStateFile(b, start, 8000) })
}

// benchRestore times loading the chaos app from the state directory that
// stateDir writes afresh for each load (a load takes its state over).
func benchRestore(b *testing.B, stateDir func(start time.Time) string) {
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		rt := benchRuntime(b, Config{Virtual: true, Start: start, StateDir: stateDir(start)})
		b.StartTimer()
		if _, err := rt.Load(ctx, chaosDir); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		rt.Close(ctx)
		b.StartTimer()
	}
}

// TestStateFileOverTheDownloadCap restores a state file holding more
// downloads in flight than max_concurrent_downloads: as many restart as
// the cap allows, in the order they started, and each other one is
// refused with a decision, where all of them used to start at once.
func TestStateFileOverTheDownloadCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	const saved = 20
	var b strings.Builder
	fmt.Fprintf(&b, `{"app":%q,"features":{"downloads":{"in_flight":[`, chaosID)
	for i := 0; i < saved; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"d%d","url":"https://weather.example/forecast","tmp":"/.watchbox-downloads/d%d"}`, i, i)
	}
	b.WriteString(`]}}}`)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, chaosID+".state"), durable.Encode([]byte(b.String())), 0o644))
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, Start: start, StateDir: dir, HTTPClient: &http.Client{Transport: routes{"/forecast": "sunny"}},
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	limit := h.rt.cfg.Profile.MaxConcurrentDownloads
	if _, err := h.rt.Load(ctx, chaosDir); err != nil {
		t.Fatal(err)
	}
	started := decisionsWith(ds, policy.RuleURLSessionStarted)
	refused := decisionsWith(ds, policy.RuleURLSessionConcurrentLimit)
	if len(started) != limit || len(refused) != saved-limit {
		t.Fatalf("%d restarted and %d refused, want %d and %d:\n%s", len(started), len(refused), limit, saved-limit,
			strings.Join(append(started, refused...), "\n"))
	}
	for i, d := range refused {
		if want := fmt.Sprintf("download d%d refused: %d of %d concurrent downloads in progress (max_concurrent_downloads); it was in flight when the host stopped", limit+i, limit, limit); !strings.Contains(d, want) {
			t.Errorf("refusal %d: %s\nwant %q", i, d, want)
		}
	}
}

// ledgerStateFile writes, in a new state directory, a state file of the
// chaos app whose budget ledger holds n refreshes in the day before
// start, latest first (a file written by hand, or by another tool), and
// returns the directory.
func ledgerStateFile(tb testing.TB, start time.Time, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"app":%q,"ledger":[`, chaosID)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		at := start.Add(-time.Duration(i+1) * 20 * time.Hour / time.Duration(n))
		fmt.Fprintf(&b, `{"kind":"refresh","at":%q,"charged":true}`, at.Format(time.RFC3339Nano))
	}
	b.WriteString(`]}`)
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, chaosID+".state"), durable.Encode([]byte(b.String())), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// BenchmarkRestoreLedgerLatestFirst loads the chaos app from a state file
// whose ledger holds 50,000 entries of the last day, latest first: each
// one went to the front of the ledger, moving all the others.
func BenchmarkRestoreLedgerLatestFirst(b *testing.B) {
	benchRestore(b, func(start time.Time) string { return ledgerStateFile(b, start, 50000) })
}

// TestLedgerRestoredLatestFirst restores a ledger saved latest first: every
// entry is there, in time order, and counts against the budget as the
// same ledger saved oldest first does (BenchmarkRestoreLedgerLatestFirst
// has the cost that made the order matter).
func TestLedgerRestoredLatestFirst(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	const saved = 300 // one every 4 minutes
	h := newHarness(t, Config{Virtual: true, Start: start, StateDir: ledgerStateFile(t, start, saved)})
	h.load(t, chaosDir)
	var entries []policy.Entry
	var lastHour int
	h.rt.rules.Ask(func(p *policy.Policy) {
		entries = p.Ledger.Entries(chaosID, policy.KindRefresh)
		lastHour = p.Ledger.Count(chaosID, start, time.Hour, policy.KindRefresh)
	})
	if len(entries) != saved {
		t.Fatalf("%d ledger entries after the restore, want %d", len(entries), saved)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].At.Before(entries[i-1].At) {
			t.Fatalf("entry %d at %v is before entry %d at %v", i, entries[i].At, i-1, entries[i-1].At)
		}
	}
	// 14: the 15th is exactly an hour back, outside the window.
	if lastHour != 14 {
		t.Errorf("refreshes in the last hour = %d, want 14", lastHour)
	}
}
