package abi_test

import (
	"fmt"

	"github.com/watchbox/watchbox/abi"
)

// Encoding an event the way the host does, and reading it the way a guest
// does.
func Example() {
	var w abi.Writer
	w.String(abi.FieldTitle, "Rain at 4pm")
	w.Int(abi.FieldDate, 1780000000000000000)
	env := abi.AppendHeader(nil, abi.Header{Version: abi.Version, Kind: abi.EventNotificationWillPresent, ID: 1})
	env = append(env, w.Bytes()...)

	h, fields, err := abi.ParseEnvelope(env)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Kind, len(env), "bytes")
	r := abi.NewReader(fields)
	for r.Next() {
		v := r.Value()
		switch v.Key {
		case abi.FieldTitle:
			s, _ := v.Text()
			fmt.Println(v.Key, s)
		default:
			fmt.Println(v.Key, v.Type) // keys a reader does not know are skipped
		}
	}
	// Output:
	// notification_will_present 59 bytes
	// title Rain at 4pm
	// date int
}
