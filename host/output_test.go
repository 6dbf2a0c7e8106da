package host

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
)

// logRecord is one line of the harness's log.
type logRecord struct {
	Level        string `json:"level"`
	Source       string `json:"source"`
	Message      string `json:"message"`
	Truncated    bool   `json:"truncated"`
	DroppedBytes int64  `json:"dropped_bytes"`
}

// records returns the harness's log records from source.
func (h *harness) records(source string) []logRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []logRecord
	for _, line := range strings.Split(h.logs.String(), "\n") {
		var rec logRecord
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Source == source {
			out = append(out, rec)
		}
	}
	return out
}

// TestHugeOutputLineIsCut: a 64 MB line on stdout (the was 200 MB)
// is logged cut at 16 KiB, with the bytes dropped counted, and the host
// allocates a bounded amount for it whatever its length. Not parallel:
// runtime.MemStats counts every goroutine's allocations.
func TestHugeOutputLineIsCut(t *testing.T) {
	const size = 64 << 20
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1, Virtual: true})
	a := chaos(t, h, "DidBecomeActive stdout 67108864")
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	must(t, a.Launch(context.Background()))
	runtime.ReadMemStats(&after)
	// The guest's own memory (32 MiB at most) is wazero's, not Go's heap;
	// the old writer buffered the line whole, then copied it twice.
	if got := after.TotalAlloc - before.TotalAlloc; got > 32<<20 {
		t.Errorf("the host allocated %d MiB for a %d MiB line; want it bounded by the line cap, not the line", got>>20, size>>20)
	}
	recs := h.records("stdout")
	if len(recs) != 1 {
		t.Fatalf("%d stdout lines, want 1", len(recs))
	}
	if r := recs[0]; len(r.Message) != 16<<10 || !r.Truncated || r.DroppedBytes != size-16<<10 {
		t.Errorf("stdout line of %d bytes, truncated %v, dropped %d; want 16384, true, %d", len(r.Message), r.Truncated, r.DroppedBytes, size-16<<10)
	}
}

// TestOutputFloodIsCappedPerCall: a flood of short lines is logged up to
// output_bytes_per_call, and the rest is dropped with one warning that
// counts it.
func TestOutputFloodIsCappedPerCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1, Virtual: true,
		Profile: budgetProfile(t, "output_bytes_per_call=10000")})
	a := chaos(t, h, "DidBecomeActive lines 100000")
	must(t, a.Launch(context.Background()))
	if n := len(h.records("stdout")); n != 100 {
		t.Errorf("%d stdout lines logged, want the 100 that fit in 10000 bytes", n)
	}
	warn := h.records("output")
	if len(warn) != 1 || warn[0].Level != "warn" || warn[0].DroppedBytes != 100*(100000-100) {
		t.Errorf("warnings %+v, want one counting %d bytes dropped", warn, 100*(100000-100))
	}
}

// TestOutputIsChargedFuel: output costs fuel, so a flood spends the call's
// CPU budget and the call ends as cpu_time_exceeded, on any machine.
func TestOutputIsChargedFuel(t *testing.T) {
	t.Parallel()
	// 10 MB of output at 1000 fuel a byte is 10^10 fuel, twice the
	// life-cycle call's 5 s at 10^9 instructions a second.
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1, Virtual: true,
		Profile: budgetProfile(t, "output_fuel_per_byte=1000", "instruction_rate=1000000000")})
	a := chaos(t, h, "DidBecomeActive lines 100000")
	err := a.Launch(context.Background())
	var ce *CrashError
	if !errors.As(err, &ce) || ce.Termination != TerminationCPU || ce.Event != abi.EventDidBecomeActive {
		t.Fatalf("Launch error = %v, want a cpu_time_exceeded crash in did_become_active", err)
	}
}

// TestCrashReportQuotesABoundedTail: a 20 MB stderr line before an exit is
// quoted in the crash report cut short, with its length.
func TestCrashReportQuotesABoundedTail(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1, Virtual: true})
	a := chaos(t, h, "DidBecomeActive stderr 20000000", "DidBecomeActive exit")
	err := a.Launch(context.Background())
	var ce *CrashError
	if !errors.As(err, &ce) || ce.Termination != TerminationExit {
		t.Fatalf("Launch error = %v, want an exit", err)
	}
	if len(ce.Reason) > 2<<10+100 || !strings.Contains(ce.Reason, "exited with code 3") || !strings.Contains(ce.Reason, "... (20000000 bytes)") {
		t.Errorf("crash reason of %d bytes: %.300q...; want at most 2 KiB, the exit code and the line's length", len(ce.Reason), ce.Reason)
	}
	for _, r := range h.records("stderr") {
		if len(r.Message) > 16<<10 {
			t.Errorf("a stderr line of %d bytes was logged", len(r.Message))
		}
	}
	h.mu.Lock()
	logSize := h.logs.Len()
	h.mu.Unlock()
	if logSize > 1<<20 {
		t.Errorf("the log holds %d bytes after a 20 MB line", logSize)
	}
}
