package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSDKHint(t *testing.T) {
	t.Parallel()
	// What go build says of an app outside any module: nothing of the SDK.
	const noModule = "go: go.mod file not found in current directory or any parent directory; see 'go help modules'"
	const missing = "main.go:11:2: no required module provides package github.com/watchbox/watchbox/guest-sdk/go/watch; to add it:\n\tgo get github.com/watchbox/watchbox/guest-sdk/go/watch"
	for _, tc := range []struct {
		name, gomod, output string
		want                []string // substrings; none means no hint
	}{
		{"no require", "module example.com/app\n\ngo 1.26\n", missing,
			[]string{"require github.com/watchbox/watchbox v0.0.0", "replace github.com/watchbox/watchbox => ", `then run "go mod tidy" in`}},
		{"require without replace", "module example.com/app\n\nrequire github.com/watchbox/watchbox v0.0.0\n", "missing go.sum entry for module providing package github.com/watchbox/watchbox/guest-sdk/go/watch",
			[]string{"Add to it:\n\treplace github.com/watchbox/watchbox => "}},
		{"replace present", "module example.com/app\n\nrequire github.com/watchbox/watchbox v0.0.0\nreplace github.com/watchbox/watchbox => ../watchbox\n", missing, nil},
		{"block form replace", "module example.com/app\n\nreplace (\n\tgithub.com/watchbox/watchbox => ../watchbox\n)\n", missing, nil},
		{"another failure", "module example.com/app\n", "main.go:3:1: syntax error: non-declaration statement outside function body", nil},
		{"watchbox's own module", "module github.com/watchbox/watchbox\n", missing, nil},
		{"no go.mod", "", noModule, []string{"is not inside a Go module", `"go mod init"`, "require github.com/watchbox/watchbox v0.0.0", "replace github.com/watchbox/watchbox => "}},
	} {
		dir := t.TempDir()
		if tc.gomod != "" {
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(tc.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		app := filepath.Join(dir, "app")
		if err := os.Mkdir(app, 0o755); err != nil {
			t.Fatal(err)
		}
		if tc.gomod == "" && findUp(app, "go.mod") != "" {
			t.Logf("%s: skipped: the temporary directory is inside a Go module", tc.name)
			continue
		}
		got := sdkHint(app, tc.output)
		if len(tc.want) == 0 && got != "" {
			t.Errorf("%s: hint %q, want none", tc.name, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: hint %q lacks %q", tc.name, got, w)
			}
		}
	}
}
