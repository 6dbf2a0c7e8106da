//go:build wasip1

// Command misfit is a test app whose methods look like delegate methods
// but are not: watch.Register (or, for the misspelled one, the host when
// it builds the app) must warn about each, and the launch must fail
// saying that no delegate was registered.
package main

import "github.com/watchbox/watchbox/guest-sdk/go/watch"

type misfit struct{}

func (misfit) DidFinishLaunching() error          { return nil }
func (misfit) HandleBackgroundTasks(t watch.Task) {}
func (misfit) DidReceiveUserinfo(p []byte)        {}
func (*misfit) DidEnterBackground()               {} // a pointer method, and a misfit value registered

func init() { watch.Register(misfit{}) }

func main() {}
