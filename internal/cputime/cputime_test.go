package cputime

import (
	"runtime"
	"testing"
)

// TestCPUAdvances: spinning moves both clocks forward, and neither runs
// backward.
func TestCPUAdvances(t *testing.T) {
	runtime.LockOSThread() // Thread is per OS thread
	defer runtime.UnlockOSThread()
	t0, p0 := Thread(), Process()
	x := 0
	for i := range 20_000_000 {
		x ^= i
	}
	_ = x
	if t1 := Thread(); t1 <= t0 {
		t.Errorf("thread CPU went from %v to %v after a spin", t0, t1)
	}
	if p1 := Process(); p1 <= p0 {
		t.Errorf("process CPU went from %v to %v after a spin", p0, p1)
	}
}
