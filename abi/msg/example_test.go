package msg_test

import (
	"fmt"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// A host decoding a schedule request whose date was sent twice, and one
// whose date has the wrong wire type.
func Example() {
	var w abi.Writer
	w.Int(abi.FieldDate, 3600e9) // 01:00
	w.Int(abi.FieldDate, 7200e9) // 02:00, a repeat: ignored
	var args msg.ScheduleRefresh
	err := args.Decode(w.Bytes())
	fmt.Println(args.Date/3600e9, err)

	w.Reset()
	w.String(abi.FieldDate, "tomorrow")
	err = args.Decode(w.Bytes())
	fmt.Println(err)

	// The refusal a host leaves, as a guest reads it.
	var r msg.Refusal
	r.Decode(msg.Refuse(err.Error()))
	fmt.Println(r.Reason == err.Error())
	// Output:
	// 1 <nil>
	// schedule_background_refresh: date: wire type bytes with 8 bytes, want int
	// true
}
