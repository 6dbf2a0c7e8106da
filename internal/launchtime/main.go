//go:build unix

// Command launchtime measures watchbox from a new process: for each
// binary given, alternating, it runs the same watchbox command and reports
// the wall time from just before the spawn to the first line of output
// that contains a marker (by default the end of the first callback,
// "did_finish_launching"), the wall time to exit, and the CPU time of the
// whole process (user and system, from the kernel's accounting of the
// child), for issue 10's launch figures (docs/performance.md).
//
//	go run ./internal/launchtime -n 5 /tmp/wb-before /tmp/wb-after -- run --json --cache C --data D --control off --steps quit apps/hello
//
// The marker is looked for on standard output and standard error alike.
// A marker of "" reports only the exit.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

type sample struct {
	first, exit, user, sys time.Duration
}

func main() {
	n := flag.Int("n", 5, "rounds; each round runs every binary once, in turn")
	marker := flag.String("marker", "did_finish_launching", "output text whose first appearance ends the launch")
	flag.Parse()
	args := flag.Args()
	sep := slices.Index(args, "--")
	if sep < 1 {
		fmt.Fprintln(os.Stderr, "usage: launchtime [-n N] [-marker TEXT] BINARY... -- WATCHBOX-ARGS...")
		os.Exit(2)
	}
	bins, cmdArgs := args[:sep], args[sep+1:]
	results := make([][]sample, len(bins))
	for round := 0; round < *n; round++ {
		for i, bin := range bins {
			s, err := runOnce(bin, cmdArgs, *marker)
			if err != nil {
				fmt.Fprintf(os.Stderr, "launchtime: %s: %v\n", bin, err)
				os.Exit(1)
			}
			results[i] = append(results[i], s)
		}
	}
	fmt.Printf("%-28s %22s %22s %22s %22s\n", "binary", "to marker ms", "to exit ms", "user ms", "sys ms")
	for i, bin := range bins {
		col := func(get func(sample) time.Duration) string {
			var v []float64
			for _, s := range results[i] {
				v = append(v, float64(get(s).Microseconds())/1000)
			}
			slices.Sort(v)
			return fmt.Sprintf("%6.0f %6.0f %6.0f", v[0], v[len(v)/2], v[len(v)-1])
		}
		fmt.Printf("%-28s %22s %22s %22s %22s\n", bin, col(func(s sample) time.Duration { return s.first }),
			col(func(s sample) time.Duration { return s.exit }), col(func(s sample) time.Duration { return s.user }),
			col(func(s sample) time.Duration { return s.sys }))
	}
	fmt.Printf("(min median max of %d runs each, alternating; user+sys is the whole process)\n", *n)
}

// runOnce runs bin with args and times it.
func runOnce(bin string, args []string, marker string) (sample, error) {
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return sample{}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return sample{}, err
	}
	var once sync.Once
	var first time.Time
	var wg sync.WaitGroup
	scan := func(r io.Reader) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if marker != "" && strings.Contains(sc.Text(), marker) {
				now := time.Now()
				once.Do(func() { first = now })
			}
		}
	}
	wg.Add(2)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	go scan(stdout)
	go scan(stderr)
	wg.Wait()
	err = cmd.Wait()
	end := time.Now()
	if err != nil {
		return sample{}, err
	}
	s := sample{exit: end.Sub(start)}
	if !first.IsZero() {
		s.first = first.Sub(start)
	} else if marker != "" {
		return sample{}, fmt.Errorf("no output line contains %q", marker)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.user = time.Duration(ru.Utime.Nano())
		s.sys = time.Duration(ru.Stime.Nano())
	}
	return s, nil
}
