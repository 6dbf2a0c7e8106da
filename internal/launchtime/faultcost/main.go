//go:build linux

// Command faultcost measures what a first touch of fresh anonymous memory
// costs on this machine, per 4 KiB page, three ways: plain pages, pages
// asked for at mmap (MAP_POPULATE), and a region advised for transparent
// huge pages (MADV_HUGEPAGE). A launch from a new process takes thousands
// of such faults, most inside wazero's read of its cached machine code
// into a fresh code segment, so their price sets the launch's floor on a
// given machine (issue 10, part 3; docs/performance.md, "Cold launch").
//
//	go run ./internal/launchtime/faultcost -mib 64 -n 3
package main

import (
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"
)

const madvHugepage = 14 // MADV_HUGEPAGE, not in package syscall

func main() {
	mib := flag.Int("mib", 64, "size of each region, in MiB")
	rounds := flag.Int("n", 3, "rounds")
	flag.Parse()
	size := *mib << 20
	pages := size / os.Getpagesize()
	kinds := []struct {
		name     string
		populate bool
		huge     bool
	}{{"plain", false, false}, {"populate", true, false}, {"hugepage", false, true}}
	fmt.Printf("%-10s %12s %10s %12s\n", "kind", "wall", "faults", "µs per page")
	for r := 0; r < *rounds; r++ {
		for _, k := range kinds {
			flags := syscall.MAP_ANON | syscall.MAP_PRIVATE
			if k.populate {
				flags |= syscall.MAP_POPULATE
			}
			var before, after syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			start := time.Now()
			b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, flags)
			if err != nil {
				fmt.Fprintln(os.Stderr, "faultcost: mmap:", err)
				os.Exit(1)
			}
			if k.huge {
				if err := syscall.Madvise(b, madvHugepage); err != nil {
					fmt.Fprintln(os.Stderr, "faultcost: madvise(MADV_HUGEPAGE):", err)
				}
			}
			for i := 0; i < size; i += os.Getpagesize() {
				b[i] = 1
			}
			elapsed := time.Since(start)
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			syscall.Munmap(b)
			fmt.Printf("%-10s %12v %10d %12.2f\n", k.name, elapsed.Round(time.Microsecond), after.Minflt-before.Minflt, float64(elapsed.Nanoseconds())/1e3/float64(pages))
		}
	}
}
