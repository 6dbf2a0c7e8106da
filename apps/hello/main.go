// Command hello is watchbox's sample app: it logs every life-cycle call and
// counts its launches in a file in its data container, so a cold relaunch
// after a purge shows the count surviving.
package main

import (
	"os"
	"strconv"
	"strings"

	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

// countFile lives in the app's data container, the only directory it sees.
const countFile = "/launches"

type app struct{ launches int }

func (a *app) DidFinishLaunching() {
	n := 0
	if b, err := os.ReadFile(countFile); err == nil {
		n, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	n++
	if err := os.WriteFile(countFile, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		watch.Warnf("cannot save launch count: %v", err)
	}
	a.launches = n
	watch.Printf("did finish launching (launch %d)", n)
}

func (a *app) WillEnterForeground() { watch.Printf("will enter foreground") }
func (a *app) DidBecomeActive()     { watch.Printf("did become active") }
func (a *app) WillResignActive()    { watch.Printf("will resign active") }
func (a *app) DidEnterBackground()  { watch.Printf("did enter background") }

func init() { watch.Register(&app{}) }

func main() {}
