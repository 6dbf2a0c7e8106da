//go:build wasip1

// Command chaos is a test app that misbehaves on demand. Before each
// life-cycle call it reads /mode in its container, lines of "EVENT ACTION"
// (EVENT is a method name such as DidBecomeActive, or * for any), and does
// ACTION; it logs what it saw as "chaos: ..." lines for the tests to read.
package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

//go:wasmimport watchbox event_read
func eventRead(ptr unsafe.Pointer, limit uint32) int32

//go:wasmimport watchbox event_reply
func eventReply(ptr unsafe.Pointer, size uint32) int32

//go:wasmimport watchbox log
func logWrite(level int32, ptr unsafe.Pointer, size uint32) int32

//go:wasmimport watchbox request
func request(op uint32, ptr unsafe.Pointer, size uint32) int32

//go:wasmimport watchbox result_read
func resultRead(ptr unsafe.Pointer, limit uint32) int32

type app struct{}

func (app) DidFinishLaunching() {
	watch.NewCentralManager(app{})
	act("DidFinishLaunching")
}

// DidFail is the Bluetooth central's error callback (bluetooth_error).
func (app) DidFail(p *watch.Peripheral, err *watch.BluetoothError) {
	watch.Printf("chaos: bluetooth error %s: %v", p.Name, err)
}
func (app) WillEnterForeground() { act("WillEnterForeground") }
func (app) DidBecomeActive()     { act("DidBecomeActive") }
func (app) WillResignActive()    { act("WillResignActive") }
func (app) DidEnterBackground()  { act("DidEnterBackground") }

func (app) HandleBackgroundTasks(tasks []*watch.Task) {
	if len(tasks) == 1 && systemSnapshot(tasks[0]) {
		t := tasks[0]
		if !modeHas("Snapshot") {
			// The system's own snapshots are completed at once and logged
			// apart, so that tests of other rules can ignore them.
			watch.Printf("snapshot: task %d (%v) at %s", t.ID, t.Reason, time.Now().UTC().Format("15:04:05"))
			t.Complete(false)
			return
		}
		watch.Printf("chaos: task %d %v (%v) %q at %s", t.ID, t.Kind, t.Reason, t.UserInfo, time.Now().UTC().Format("15:04:05"))
		openTasks = tasks
		act("Snapshot")
		return
	}
	for _, t := range tasks {
		if t.Session != "" {
			b, _ := os.ReadFile(t.File)
			watch.Printf("chaos: task %d %v %s status %d file %q %q error %q", t.ID, t.Kind, t.Session, t.StatusCode, t.File, b, t.Error)
			continue
		}
		if t.Reason != 0 {
			watch.Printf("chaos: task %d %v (%v) at %s", t.ID, t.Kind, t.Reason, time.Now().UTC().Format("15:04:05"))
			continue
		}
		extra := ""
		if t.ContentPending {
			extra += " content pending"
		}
		if t.BluetoothError != nil {
			extra += " error: " + t.BluetoothError.Error()
		}
		watch.Printf("chaos: task %d %v %q at %s%s", t.ID, t.Kind, t.UserInfo, time.Now().UTC().Format("15:04:05"), extra)
	}
	openTasks = tasks
	act("Tasks")
}

func (app) TaskWillExpire(id int64) {
	watch.Printf("chaos: task %d will expire at %s", id, time.Now().UTC().Format("15:04:05"))
	act("Expire")
}

var openTasks []*watch.Task

func systemSnapshot(t *watch.Task) bool {
	return t.Kind == abi.TaskSnapshot && t.Reason != abi.SnapshotComplicationUpdate
}

// modeHas reports whether /mode has a line for event.
func modeHas(event string) bool {
	b, _ := os.ReadFile("/mode")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == event {
			return true
		}
	}
	return false
}

func (app) WillPresentNotification(n *watch.Notification) {
	watch.Printf("chaos: present %s %q %q %s", n.Identifier, n.Title, n.Body, n.UserInfo)
}

func (app) DidReceiveRemoteNotification(n *watch.Notification) {
	watch.Printf("chaos: remote %s at %s", n.UserInfo, time.Now().UTC().Format("15:04:05"))
}

func (app) DidReceiveNotification(n *watch.Notification) {
	watch.Printf("chaos: tapped %s %q action %s at %s", n.Identifier, n.Title, n.Action, time.Now().UTC().Format("15:04:05"))
}

func (app) DidReceiveUserInfo(p []byte) {
	watch.Printf("chaos: user info %s at %s", p, time.Now().UTC().Format("15:04:05"))
	act("Phone")
}

func (app) DidReceiveApplicationContext(p []byte) {
	watch.Printf("chaos: context %s at %s", p, time.Now().UTC().Format("15:04:05"))
	act("Phone")
}

func (app) DidReceiveMessage(p []byte) {
	watch.Printf("chaos: message %s", p)
	act("Phone")
}

func (app) DidReceiveComplicationPush(n *watch.Notification) {
	watch.Printf("chaos: complication push %s", n.UserInfo)
}

var (
	hoard    [][]byte
	spinSink int
)

func act(event string) {
	b, err := os.ReadFile("/mode")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || (f[0] != event && f[0] != "*") {
			continue
		}
		do(event, f[1], f[2:])
	}
}

func do(event, action string, args []string) {
	switch action {
	case "panic":
		panic("boom in " + event)
	case "exit":
		os.Exit(3)
	case "oom":
		for {
			hoard = append(hoard, make([]byte, 1<<20))
		}
	case "spin":
		for i := 0; ; i++ {
			spinSink = i
		}
	case "sleep":
		time.Sleep(time.Hour)
		watch.Printf("chaos: woke up")
	case "recurse":
		watch.Printf("chaos: %d", recurse(1))
	case "deadlock":
		var never chan int
		<-never
	case "wildptr":
		bad := unsafe.Pointer(uintptr(0xFFFFFF00))
		watch.Printf("chaos: event_read %d", eventRead(bad, 4096))
		watch.Printf("chaos: event_reply %d", eventReply(bad, 4096))
		watch.Printf("chaos: log %d", logWrite(1, bad, 4096))
		watch.Printf("chaos: log-level %d", logWrite(99, nil, 0))
		request(uint32(abi.OpAppInfo), nil, 0) // a result the refusals below must replace
		watch.Printf("chaos: request %d %s", request(uint32(abi.OpAppInfo), bad, 64), refusal())
		watch.Printf("chaos: request-unknown %d %s", request(9999, nil, 0), refusal())
		watch.Printf("chaos: request-big %d %s", request(uint32(abi.OpAppInfo), nil, 70000), refusal())
	case "raw":
		// raw OP HEX: request OP (a number) with the hex-encoded argument
		// fields ("-" for none), bypassing the SDK's encoder; logs the
		// result's size and bytes, hex-encoded, or the negated status and
		// the refusal's reason.
		rawRequest(args[0], args[1])
	case "read":
		for _, p := range args {
			b, err := os.ReadFile(p)
			if err != nil {
				watch.Printf("chaos: read %s: error %v", p, err)
			} else {
				watch.Printf("chaos: read %s: ok %q", p, b)
			}
		}
	case "symlink":
		// symlink TARGET NAME, then read NAME
		err := os.Symlink(args[0], args[1])
		watch.Printf("chaos: symlink %s -> %s: %v", args[1], args[0], err)
		b, err := os.ReadFile(args[1])
		watch.Printf("chaos: read %s: %q %v", args[1], b, err)
	case "env":
		watch.Printf("chaos: env %d %q", len(os.Environ()), os.Environ())
	case "write":
		// write NAME BYTES
		n := 0
		for _, c := range args[1] {
			n = n*10 + int(c-'0')
		}
		err := os.WriteFile(args[0], make([]byte, n), 0o644)
		watch.Printf("chaos: write %s %d: %v", args[0], n, err)
	case "clock":
		t0 := time.Now()
		time.Sleep(20 * time.Millisecond)
		watch.Printf("chaos: slept %d", time.Since(t0).Milliseconds())
	case "schedule":
		d, _ := time.ParseDuration(args[0])
		due, err := watch.ScheduleBackgroundRefresh(time.Now().Add(d), []byte("refresh-info"))
		watch.Printf("chaos: scheduled for %s %v", due.UTC().Format("15:04:05"), err)
	case "complication":
		watch.Printf("chaos: complication %s %v", args[0], watch.UpdateComplication([]byte(args[0])))
	case "schedule-snapshot":
		d, _ := time.ParseDuration(args[0])
		due, err := watch.ScheduleSnapshotRefresh(time.Now().Add(d), []byte("snapshot-info"))
		watch.Printf("chaos: snapshot scheduled for %s %v", due.UTC().Format("15:04:05"), err)
	case "notify":
		// notify ID AFTER [repeat]
		d, _ := time.ParseDuration(args[1])
		err := watch.ScheduleNotification(watch.LocalNotification{ID: args[0], Title: "Stand up", Body: "time to move",
			After: d, Repeats: len(args) > 2})
		watch.Printf("chaos: notify %s: %v", args[0], err)
	case "send":
		watch.Printf("chaos: send %v", watch.SendToPhone([]byte(args[0])))
	case "send-message":
		watch.Printf("chaos: send-message %v", watch.SendMessageToPhone([]byte(args[0])))
	case "session":
		st, err := watch.PhoneSession()
		watch.Printf("chaos: session reachable=%v paired=%v pending=%v %v", st.Reachable, st.Paired, st.ContentPending, err)
	case "complete-when-done":
		// complete the open tasks once the phone session has no content pending
		if st, err := watch.PhoneSession(); err != nil || st.ContentPending {
			return
		}
		for _, t := range openTasks {
			watch.Printf("chaos: complete %d %v", t.ID, t.Complete(false))
		}
		openTasks = nil
	case "scan":
		found, err := watch.NewCentralManager(app{}).Scan(args[0])
		code := int64(0)
		if be, ok := err.(*watch.BluetoothError); ok {
			code = be.Code
		}
		watch.Printf("chaos: scan %d found, code %d: %v", len(found), code, err)
	case "notify-cal":
		// notify-cal ID COMPONENTS-JSON [repeat]
		var cal map[string]int
		json.Unmarshal([]byte(args[1]), &cal)
		err := watch.ScheduleNotification(watch.LocalNotification{ID: args[0], Title: "Calendar", Body: args[1],
			Calendar: cal, Repeats: len(args) > 2})
		watch.Printf("chaos: notify %s: %v", args[0], err)
	case "cancel":
		watch.Printf("chaos: cancel %s: %v", args[0], watch.CancelNotification(args[0]))
	case "download":
		watch.Printf("chaos: download %s: %v", args[0], watch.StartDownload(args[0], args[1]))
	case "complete", "complete-snapshot":
		for _, t := range openTasks {
			watch.Printf("chaos: complete %d %v", t.ID, t.Complete(action == "complete-snapshot"))
		}
		openTasks = nil
	case "snapshot-done":
		// snapshot-done restored|kept EXPIRES|distant|- [USERINFO]
		for _, t := range openTasks {
			var exp time.Time
			switch args[1] {
			case "distant":
				exp = watch.DistantFuture
			case "-":
			default:
				d, _ := time.ParseDuration(args[1])
				exp = time.Now().Add(d)
			}
			var info []byte
			if len(args) > 2 {
				info = []byte(args[2])
			}
			watch.Printf("chaos: snapshot done %d %v", t.ID, t.CompleteSnapshot(args[0] == "restored", exp, info))
		}
		openTasks = nil
	case "settings":
		info, err := watch.App()
		watch.Printf("chaos: settings %s %v", info.Settings, err)
	case "stdout", "stderr":
		// stdout|stderr BYTES: one line of BYTES bytes, written 1 MiB at
		// a time (the app's memory is smaller than the lines tests write)
		f := os.Stdout
		if action == "stderr" {
			f = os.Stderr
		}
		n := atoi(args[0])
		chunk := make([]byte, 1<<20)
		for i := range chunk {
			chunk[i] = 'x'
		}
		for n > 0 {
			k := min(n, len(chunk))
			f.Write(chunk[:k])
			n -= k
		}
		f.Write([]byte("\n"))
	case "lines":
		// lines N: N lines of 100 bytes on stdout, 10,000 per write
		line := []byte(strings.Repeat("y", 99) + "\n")
		buf := make([]byte, 0, 10000*len(line))
		for n := atoi(args[0]); n > 0; n-- {
			buf = append(buf, line...)
			if len(buf) == cap(buf) || n == 1 {
				os.Stdout.Write(buf)
				buf = buf[:0]
			}
		}
	case "info":
		info, err := watch.App()
		watch.Printf("chaos: info %s %v %d %v %v", info.BundleID, info.State, info.LaunchCount, info.Cold, err)
	}
}

// refusal returns the reason of the last request's refusal, quoted, or
// what was wrong with the result in its place.
func refusal() string {
	res := make([]byte, 4096)
	n := resultRead(unsafe.Pointer(&res[0]), uint32(len(res)))
	if n < 0 || int(n) > len(res) {
		return "result_read " + strconv.Itoa(int(n))
	}
	var r msg.Refusal
	if err := r.Decode(res[:n]); err != nil {
		return "not a refusal: " + err.Error()
	}
	return strconv.Quote(r.Reason)
}

func rawRequest(opArg, hexArgs string) {
	op, _ := strconv.ParseUint(opArg, 10, 32)
	b, err := hex.DecodeString(strings.TrimPrefix(hexArgs, "-")) // -: no fields
	if err != nil {
		watch.Printf("chaos: raw %s: bad hex: %v", opArg, err)
		return
	}
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	n := request(uint32(op), p, uint32(len(b)))
	if n < 0 {
		watch.Printf("chaos: raw %v %d refusal %s", abi.Op(op), n, refusal())
		return
	}
	res := make([]byte, n)
	if n > 0 {
		resultRead(unsafe.Pointer(&res[0]), uint32(n))
	}
	watch.Printf("chaos: raw %v %d result %x", abi.Op(op), n, res)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func recurse(n int) int {
	var pad [1024]byte
	pad[n%1024] = byte(n)
	return recurse(n+1) + int(pad[0])
}

func init() { watch.Register(app{}) }

func main() {}
