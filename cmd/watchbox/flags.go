package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/watchbox/watchbox/internal/suggest"
)

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: watchbox %s [flags] %s\n\nflags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments, as in "watchbox run apps/hello --json". It returns the
// positional arguments, or an exit code when parsing ended the command.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			unknownFlagHint(fs, err)
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, 0, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), 0, true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// unknownFlagHint follows the flag package's message and usage for a flag
// fs does not define with the flag meant, when one is close: the usage
// lists every flag, and the message is above it.
func unknownFlagHint(fs *flag.FlagSet, err error) {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if c := suggest.Closest(name, names); c != "" {
		fmt.Fprintf(fs.Output(), "\nwatchbox %s: unknown flag -%s; did you mean --%s?\n", fs.Name(), name, c)
	}
}
