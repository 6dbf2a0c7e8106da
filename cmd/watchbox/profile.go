package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/host/profile"
)

// profileFlagSet holds the flags that choose the device profile and how apps
// are metered.
type profileFlagSet struct {
	file      *string
	set       *multiFlag
	costModel *string
}

func profileFlags(fs *flag.FlagSet) *profileFlagSet {
	p := &profileFlagSet{set: &multiFlag{}}
	p.file = fs.String("profile", "", "device profile file (JSON; keys in docs/profile.md); default: the built-in watch-default")
	fs.Var(p.set, "set", "override one profile value, key=value (repeatable), e.g. --set task_time=10s")
	p.costModel = fs.String("cost-model", "strict", "fuel cost model: strict or wasmtime")
	return p
}

// resolve returns the profile and cost model the flags chose.
func (p *profileFlagSet) resolve() (profile.Profile, meter.CostModel, error) {
	prof := profile.Default()
	if *p.file != "" {
		var err error
		if prof, err = profile.Load(*p.file); err != nil {
			return prof, 0, err
		}
	}
	if err := prof.ParseSet(*p.set); err != nil {
		return prof, 0, fmt.Errorf("--set: %w", err)
	}
	model, err := meter.ParseCostModel(*p.costModel)
	if err != nil {
		return prof, 0, fmt.Errorf("--cost-model: %w", err)
	}
	return prof, model, nil
}

// setOnCommandLine returns the value the last --set of key gave, if any.
func setOnCommandLine(sets []string, key string) (string, bool) {
	v, found := "", false
	for _, o := range sets {
		if k, val, ok := strings.Cut(o, "="); ok && strings.TrimSpace(k) == key {
			v, found = strings.TrimSpace(val), true
		}
	}
	return v, found
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func profileCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("profile", "", stderr)
	asJSON := fs.Bool("json", false, "print the profile as a JSON object (a valid --profile file)")
	pf := profileFlags(fs)
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintln(stderr, "watchbox profile: takes no arguments; use --profile FILE and --set key=value")
		return exitUsage
	}
	prof, _, err := pf.resolve()
	if err != nil {
		fmt.Fprintf(stderr, "watchbox profile: %v\n", err)
		return exitUsage
	}
	if *asJSON {
		b, _ := json.MarshalIndent(prof, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return exitOK
	}
	values := map[string]any{}
	b, _ := json.Marshal(prof)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.Decode(&values)
	fmt.Fprintf(stdout, "profile %s\n", prof.Name)
	for _, k := range profile.Keys() {
		if k == "name" {
			continue
		}
		src := profile.Sources[k]
		if src == "" {
			src = "watchbox assumption"
		}
		if v, ok := setOnCommandLine(*pf.set, k); ok {
			src = "command line: --set " + k + "=" + v
		}
		fmt.Fprintf(stdout, "  %-36s %-12v %s\n", k, values[k], src)
	}
	return exitOK
}
