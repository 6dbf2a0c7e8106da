// Command fuzzbug is the fuzzer's test app: a background push handler
// with a bug planted behind a nested condition on its payload, a level of
// exactly 42 and then a message of exactly 13 bytes. Random inputs almost
// never meet both; coverage feedback keeps an input that meets the first
// and mutates it until it meets the second.
package main

import (
	"encoding/json"

	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

type app struct{ pushes int }

func (a *app) DidFinishLaunching() {}

func (a *app) DidReceiveRemoteNotification(n *watch.Notification) {
	a.pushes++
	var m map[string]any
	if json.Unmarshal(n.UserInfo, &m) != nil {
		return
	}
	if level, ok := m["level"].(float64); ok && level == 42 {
		watch.Printf("level 42")
		if msg, ok := m["message"].(string); ok && len(msg) == 13 {
			panic("planted bug: level 42 with a 13-byte message")
		}
	}
}

func init() { watch.Register(&app{}) }

func main() {}
