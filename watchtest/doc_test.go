package watchtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocExamples: the Go and scenario examples of docs/testing.md are
// copies of the sample apps' tests and the shipped scenarios, which the
// tests run; this keeps them copies.
func TestDocExamples(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/testing.md")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string][]string{"go": {"../apps/*/*_test.go"}, "scenario": {"../tests/scenarios/*.scenario"}}
	n := 0
	for lang, globs := range sources {
		var files []string
		for _, g := range globs {
			m, _ := filepath.Glob(g)
			for _, f := range m {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, string(b))
			}
		}
		rest := string(doc)
		for {
			_, after, ok := strings.Cut(rest, "```"+lang+"\n")
			if !ok {
				break
			}
			block, tail, _ := strings.Cut(after, "```\n")
			rest = tail
			n++
			found := false
			for _, f := range files {
				found = found || strings.Contains(f, block)
			}
			if !found {
				t.Errorf("this %s example of docs/testing.md is in none of %v:\n%s", lang, globs, block)
			}
		}
	}
	if n < 4 {
		t.Errorf("%d examples found in docs/testing.md, want at least 4", n)
	}
}
