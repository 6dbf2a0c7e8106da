package bundle

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// sdkModule is the module an app's go.mod must require (and replace with a
// checkout) for the Go SDK to build.
const sdkModule = "github.com/watchbox/watchbox"

var (
	requireSDK = regexp.MustCompile(`(?m)^\s*(require\s+)?` + regexp.QuoteMeta(sdkModule) + `\s+v\S+`)
	replaceSDK = regexp.MustCompile(`(?m)^\s*(replace\s+)?` + regexp.QuoteMeta(sdkModule) + `(\s+v\S+)?\s+=>`)
	moduleLine = regexp.MustCompile(`(?m)^module\s+(\S+)`)
)

// sdkHint recognises a build that failed because the app's go.mod does not
// point at a watchbox checkout (go then suggests a "go get" that cannot
// work: the module is not published), and returns the exact lines to add.
// It returns "" when the failure is something else.
func sdkHint(dir, output string) string {
	gomod := findUp(dir, "go.mod")
	// Without a go.mod, go says only that it found none (an app copied out
	// of this repository).
	if !strings.Contains(output, sdkModule) && (gomod != "" || !strings.Contains(output, "go.mod file not found")) {
		return ""
	}
	if gomod == "" {
		return fmt.Sprintf("%s is not inside a Go module: create one with \"go mod init\" in %s, then add:\n\trequire %s v0.0.0\n\treplace %s => %s\nand run \"go mod tidy\"", dir, dir, sdkModule, sdkModule, checkout())
	}
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	if m := moduleLine.FindSubmatch(data); m != nil && string(m[1]) == sdkModule {
		return "" // the app lives in watchbox's own module
	}
	if replaceSDK.Match(data) {
		return "" // pointed somewhere already: the failure is something else
	}
	var lines []string
	if !requireSDK.Match(data) {
		lines = append(lines, "require "+sdkModule+" v0.0.0")
	}
	lines = append(lines, "replace "+sdkModule+" => "+checkout())
	return fmt.Sprintf("%s does not point at a watchbox checkout (the module is not published). Add to it:\n\t%s\nthen run \"go mod tidy\" in %s", gomod, strings.Join(lines, "\n\t"), filepath.Dir(gomod))
}

// findUp returns the path of name in dir or its nearest parent that has
// it, or "".
func findUp(dir, name string) string {
	for {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// checkout is the watchbox checkout a replace directive should name: the
// module root above the working directory when that is watchbox's own
// module, or a placeholder for the user to fill in.
func checkout() string {
	if wd, err := os.Getwd(); err == nil {
		if gomod := findUp(wd, "go.mod"); gomod != "" {
			if data, err := os.ReadFile(gomod); err == nil {
				if m := moduleLine.FindSubmatch(data); m != nil && string(m[1]) == sdkModule {
					return filepath.Dir(gomod)
				}
			}
		}
	}
	return "/path/to/your/watchbox/checkout"
}
