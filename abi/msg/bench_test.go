package msg_test

import (
	"testing"

	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/abi/msg/msgtest"
)

// The guest decodes every event and encodes every request through these;
// they should stay a few hundred nanoseconds and a handful of allocations.
func BenchmarkDecodeBackgroundTasks(b *testing.B) {
	var wire []byte
	for _, c := range msgtest.Cases() {
		if c.Name == "event background_tasks" {
			wire = c.Wire
		}
	}
	b.ReportAllocs()
	var m msg.BackgroundTasks
	for i := 0; i < b.N; i++ {
		if err := m.Decode(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeScheduleNotification(b *testing.B) {
	m := msg.ScheduleNotification{Identifier: "n1", Title: "Stand up", Body: "time to move", Interval: 3600e9, Repeats: true}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = m.Encode(buf[:0])
	}
}
