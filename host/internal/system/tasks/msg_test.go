package tasks

import (
	"bytes"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/abi/msg/msgtest"
	"github.com/watchbox/watchbox/host/internal/system"
)

// The events this feature sends encode to the bytes of the ABI's golden
// table (what the v1 host wrote by hand): each background_tasks case is
// rebuilt from the host's own task values and encoded as Deliver does.
func TestEventsMatchTheGoldenWire(t *testing.T) {
	t.Parallel()
	n := 0
	for _, c := range msgtest.Cases() {
		var got []byte
		switch c.Event {
		case abi.EventBackgroundTasks:
			var ev msg.BackgroundTasks
			for _, m := range c.Value.(*msg.BackgroundTasks).Tasks {
				tk := &task{id: m.ID, Task: system.Task{Kind: m.Kind, UserInfo: m.UserInfo, Reason: m.Reason,
					Session: m.Session, Status: int(m.StatusCode), File: m.File, Err: m.Error}}
				ev.Tasks = append(ev.Tasks, tk.record())
			}
			got = ev.Encode(nil)
		case abi.EventTaskWillExpire:
			got = msg.TaskWillExpire{TaskID: c.Value.(*msg.TaskWillExpire).TaskID}.Encode(nil)
		default:
			continue
		}
		n++
		if !bytes.Equal(got, c.Wire) {
			t.Errorf("%s:\n got  % x\n want % x", c.Name, got, c.Wire)
		}
	}
	if n < 2 {
		t.Fatalf("only %d cases of this feature's events in the golden table", n)
	}
}
