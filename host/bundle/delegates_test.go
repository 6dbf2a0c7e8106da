package bundle

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/internal/delegate"
)

// TestDelegateWarnings: the build-time check finds the registered
// delegate however it is written, and warns about its misspelled
// delegate methods, as the SDK did at registration before.
func TestDelegateWarnings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name: "misfit value",
		files: map[string]string{"main.go": `//go:build wasip1

package main

import "github.com/watchbox/watchbox/guest-sdk/go/watch"

type misfit struct{}

func (misfit) DidFinishLaunching() error          { return nil }
func (misfit) HandleBackgroundTasks(t watch.Task) {}
func (misfit) DidReceiveUserinfo(p []byte)        {}
func (misfit) DidBecomeActiv()                    {}
func (misfit) Render() string                     { return "" }
func (misfit) DidReceiveMessage(payload []uint8)  {} // a real one
func (misfit) didEnterBackground()                {}
func (*misfit) WillResignActiv()                  {} // not in a value's method set

func init() { watch.Register(misfit{}) }

func main() {}
`, "other.go": `//go:build !wasip1

package main

func (misfit) DidBecomeActve() {} // not built for wasip1
`},
		want: []string{
			"watch.Register: main.misfit has method DidReceiveUserinfo([]byte), which is no delegate method, so it is never called; did you mean DidReceiveUserInfo(payload []byte)?",
			"watch.Register: main.misfit has method DidBecomeActiv(), which is no delegate method, so it is never called; did you mean DidBecomeActive()?",
			"watch.Register: main.misfit has method didEnterBackground(), which is no delegate method, so it is never called; did you mean DidEnterBackground()?",
		},
	}, {
		name: "pointer in a variable, SDK renamed",
		files: map[string]string{"main.go": `package main

import w "github.com/watchbox/watchbox/guest-sdk/go/watch"

type app struct{ n int }

func (a *app) HandleBackgroundTask(tasks []*w.Task) {}
func (a *app) SaveStat() ([]byte, error)            { return nil, nil }
func (a *app) HandleEvent(e *w.Event) bool          { return false }
func (a *app) HandleEvents(e *w.Event) bool         { return false } // HandleEvent is there

var the = &app{n: 1}

func init() { w.Register(the) }
`},
		want: []string{
			"watch.Register: *main.app has method HandleBackgroundTask([]*watch.Task), which is no delegate method, so it is never called; did you mean HandleBackgroundTasks(tasks []*watch.Task)?",
			"watch.Register: *main.app has method SaveStat() ([]byte, error), which is no delegate method, so it is never called; did you mean SaveState() ([]byte, error)?",
		},
	}, {
		name: "local variable, new",
		files: map[string]string{"main.go": `package main

import "github.com/watchbox/watchbox/guest-sdk/go/watch"

type app struct{}

func (app) TaskWillExpir(id int64) {}

func init() {
	d := new(app)
	watch.Register(d)
}
`},
		want: []string{"watch.Register: *main.app has method TaskWillExpir(int64), which is no delegate method, so it is never called; did you mean TaskWillExpire(taskID int64)?"},
	}, {
		name: "no Register here",
		files: map[string]string{"main.go": `package main

import "example.com/lib"

type app struct{}

func (app) DidBecomeActiv() {}

func init() { lib.Register(app{}) }
`},
	}, {
		name:  "does not parse",
		files: map[string]string{"main.go": "package main\n\nfunc (", "b.go": "package main\n"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, src := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := delegateWarnings(dir, goFilesFor(dir))
			if tc.name == "does not parse" {
				got = delegateWarnings(dir, []string{"b.go", "main.go"})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestSampleAppsHaveNoDelegateWarnings: the shipped apps are clean, so
// the check finds nothing that is right.
func TestSampleAppsHaveNoDelegateWarnings(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("..", "..", "apps", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no sample apps: %v", err)
	}
	for _, dir := range dirs {
		files := goFilesFor(dir)
		if len(files) == 0 {
			t.Errorf("%s: no Go files for wasip1", dir)
		}
		if w := delegateWarnings(dir, files); len(w) != 0 {
			t.Errorf("%s: %q", dir, w)
		}
	}
}

// TestDelegateSigsParse: every signature in the shared table parses, or
// the check would skip it.
func TestDelegateSigsParse(t *testing.T) {
	t.Parallel()
	for _, dm := range delegate.Methods {
		if _, _, ok := delegateSig(dm); !ok || !strings.HasPrefix(dm.Sig, dm.Name+"(") {
			t.Errorf("%s: %q does not parse as a method signature", dm.Name, dm.Sig)
		}
	}
}

// TestBuildWarningsAtEveryLoad: a source bundle's delegate warnings come
// with its build, and again with every load that takes the build from the
// cache, the hash from the stamp, with no go command.
func TestBuildWarningsAtEveryLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tests/apps/misfit")
	}
	t.Parallel()
	b, err := Open(filepath.Join("..", "..", "tests", "apps", "misfit"))
	if err != nil {
		t.Fatal(err)
	}
	opts := BuildOptions{CacheDir: t.TempDir()}
	want := "watch.Register: main.misfit has method DidReceiveUserinfo([]byte), which is no delegate method, so it is never called; did you mean DidReceiveUserInfo(payload []byte)?"
	for _, step := range []string{"built", "stamped"} {
		_, info, err := b.Locate(context.Background(), opts)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if (step == "stamped") != (info.Cached && info.Stamped) {
			t.Errorf("%s: %+v", step, info)
		}
		if !slices.Equal(info.Warnings, []string{want}) {
			t.Errorf("%s (%+v): warnings %q, want [%q]", step, info, info.Warnings, want)
		}
	}
}
