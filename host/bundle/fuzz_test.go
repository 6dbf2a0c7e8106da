package bundle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseManifest parses arbitrary bytes as watchapp.json: ParseManifest
// returns a manifest or a *ManifestError whose every problem has a
// message, and never panics.
func FuzzParseManifest(f *testing.F) {
	files, err := filepath.Glob("../../apps/*/watchapp.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no sample manifests: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"CFBundleIdentifier":"a.b","abiVersion":1,"settings":{"a":[1,{"b":null}]},"WKBackgroundModes":["x",1]}`))
	f.Add([]byte("\xef\xbb\xbf{\"abiVersion\":1e400}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err == nil {
			if m == nil {
				t.Fatal("ParseManifest returned neither a manifest nor an error")
			}
			return
		}
		var me *ManifestError
		if !errors.As(err, &me) || len(me.Problems) == 0 {
			t.Fatalf("ParseManifest's error is %T with no problems: %v", err, err)
		}
		for _, p := range me.Problems {
			if p.Message == "" || p.Line < 0 || p.Column < 0 {
				t.Errorf("a problem without a message or with a negative position: %+v", p)
			}
		}
	})
}

// TestManifestProblemsAreCapped: a manifest of 300 unknown keys reports
// maxManifestProblems of them, each where it is, and counts the rest.
func TestManifestProblemsAreCapped(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("{\"CFBundleIdentifier\": \"a.b\", \"CFBundleDisplayName\": \"A\", \"abiVersion\": 1, \"source\": \".\"")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, ",\n  \"k%d\": 1", i)
	}
	b.WriteString("\n}")
	_, err := ParseManifest([]byte(b.String()))
	var me *ManifestError
	if !errors.As(err, &me) {
		t.Fatalf("ParseManifest = %v, want a *ManifestError", err)
	}
	ps := me.Problems
	if len(ps) != maxManifestProblems+1 {
		t.Fatalf("%d problems, want %d", len(ps), maxManifestProblems+1)
	}
	if p := ps[99]; p.Key != "k99" || p.Line != 101 || p.Column != 3 {
		t.Errorf("problem 100 is %+v, want k99 at 101:3", p)
	}
	if last := ps[len(ps)-1].Message; last != "and 200 more problems, not shown" {
		t.Errorf("last problem %q", last)
	}
}
