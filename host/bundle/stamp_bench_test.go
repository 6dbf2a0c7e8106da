//go:build unix

package bundle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time of this process and of its waited-for
// children (the go command), user plus system.
func processCPU() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// BenchmarkSourceHash compares how a source bundle whose module is in the
// build cache gets its content hash: from its stamp (no go command) or in
// full (go env, go list -deps, hashing every input). The two alternate,
// five rounds each per iteration; it prints the best CPU time (this process
// and the go command) and wall time of each. Bundle: apps/hello.
func BenchmarkSourceHash(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join("..", "..", "apps", "hello")
	bd, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	opts := BuildOptions{CacheDir: b.TempDir(), GoCmd: "go"}
	if _, _, err := bd.Wasm(ctx, opts); err != nil {
		b.Fatal(err)
	}
	src := filepath.Join(bd.Dir, bd.Manifest.Source)
	if _, _, _, ok := readStamp(src, opts); !ok {
		b.Skip("no stamp was written (files modified in the last few seconds?)")
	}
	stampFile := stampPath(src, opts)
	saved, err := os.ReadFile(stampFile)
	if err != nil {
		b.Fatal(err)
	}
	type side struct {
		name      string
		cpu, wall time.Duration
	}
	stamped, full := &side{name: "stamped"}, &side{name: "full"}
	run := func(s *side) {
		if s == full {
			os.Remove(stampFile)
		} else {
			os.WriteFile(stampFile, saved, 0o600)
		}
		c0, w0 := processCPU(), time.Now()
		_, info, err := bd.Wasm(ctx, opts)
		c, w := processCPU()-c0, time.Since(w0)
		if err != nil {
			b.Fatal(err)
		}
		if info.Stamped != (s == stamped) || !info.Cached {
			b.Fatalf("%s: %+v", s.name, info)
		}
		if s.cpu == 0 || c < s.cpu {
			s.cpu = c
		}
		if s.wall == 0 || w < s.wall {
			s.wall = w
		}
	}
	for i := 0; b.Loop(); i++ {
		for r := range 5 {
			if (r+i)%2 == 0 {
				run(stamped)
				run(full)
			} else {
				run(full)
				run(stamped)
			}
		}
	}
	b.StopTimer()
	for _, s := range []*side{stamped, full} {
		fmt.Printf("%-8s best CPU %8.2f ms  best wall %8.2f ms\n", s.name, s.cpu.Seconds()*1000, s.wall.Seconds()*1000)
		b.ReportMetric(s.cpu.Seconds()*1000, s.name+"-cpu-ms")
	}
}
