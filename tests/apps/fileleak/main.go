// Command fileleak is the guest of the snapshot tests' file checks. Any
// event whose payload field is "leak" creates a file and leaves it open;
// "open" creates one and closes it. Either way it logs the file's
// descriptor as "fd=N", so that a test sees which descriptor a run got.
package main

import (
	"fmt"
	"os"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

type app struct{}

// kept are the files left open, so that no finalizer closes them.
var kept []*os.File

func (app) DidFinishLaunching() {}

func (app) HandleEvent(e *watch.Event) bool {
	r := e.Fields()
	for r.Next() {
		v := r.Value()
		if v.Key != abi.FieldPayload {
			continue
		}
		b, _ := v.Blob()
		cmd := string(b)
		if cmd != "leak" && cmd != "open" {
			continue
		}
		f, err := os.Create(fmt.Sprintf("/%s-%d", cmd, len(kept)))
		if err != nil {
			watch.Printf("create: %v", err)
			return true
		}
		watch.Printf("fd=%d", f.Fd())
		if cmd == "leak" {
			kept = append(kept, f)
		} else {
			f.Close()
		}
	}
	return true
}

func init() { watch.Register(app{}) }

func main() {}
