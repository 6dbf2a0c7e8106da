package guest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// pusherWasm is testdata/pusher.wat: a guest that takes pushed envelopes
// from the buffer it registered and pulls the others, replies with the
// envelope's fields, and registers the fields of a kind-1000 event.
//
//go:embed testdata/pusher.wasm
var pusherWasm []byte

// kindRegister is pusher's own kind: its fields go to register_event_buffer.
const kindRegister abi.EventKind = 1000

// pusherMemory is pusher's linear memory: two pages.
const pusherMemory = 2 << 16

func newPusher(t *testing.T) *Guest {
	t.Helper()
	ctx := context.Background()
	cache := wazero.NewCompilationCache()
	t.Cleanup(func() { cache.Close(ctx) })
	g := newShared(t, cache, 16, &recorder{}, metered(t, pusherWasm))
	t.Cleanup(func() { g.Close(ctx) })
	if err := g.Instantiate(ctx, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	return g
}

// register asks pusher to register fields as its buffer; it returns the
// status and the refusal's reason.
func register(t *testing.T, g *Guest, fields []byte) (abi.Status, string) {
	t.Helper()
	res := callOf(g, context.Background(), kindRegister, fields, time.Second)
	if res.Crash != nil {
		t.Fatalf("register: %v", res.Crash)
	}
	var r msg.Refusal
	if res.Status != abi.StatusOK {
		if err := r.Decode(g.inst.result); err != nil {
			t.Fatalf("register: refusal %x: %v", g.inst.result, err)
		}
	}
	return res.Status, r.Reason
}

func buffer(addr, n int64) []byte { return msg.EventBuffer{Address: addr, Length: n}.Encode(nil) }

// paths returns how many calls pusher took pushed and pulled.
func paths(g *Guest) (pushed, pulled uint64) {
	return g.Module().ExportedGlobal("pushed").Get(), g.Module().ExportedGlobal("pulled").Get()
}

// payloadOf returns fields holding one n-byte payload.
func payloadOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	w := abi.NewWriter(nil)
	w.Blob(abi.FieldPayload, b)
	return w.Bytes()
}

// TestPushMatchesPull: a guest that registered a buffer gets the same
// envelopes as one that pulls them, pushed when they fit and pulled when
// they do not (docs/abi.md section 6).
func TestPushMatchesPull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	events := [][]byte{nil, payloadOf(92), payloadOf(3000), payloadOf(5000), payloadOf(100)}
	run := func(g *Guest) (replies [][]byte) {
		for i, f := range events {
			res := callOf(g, ctx, abi.EventPhoneMessage, f, time.Second)
			if res.Crash != nil || res.Status != abi.StatusOK {
				t.Fatalf("event %d: status %v, crash %v", i, res.Status, res.Crash)
			}
			replies = append(replies, res.Reply)
		}
		return replies
	}
	pull := newPusher(t)
	want := run(pull)
	if pushed, pulled := paths(pull); pushed != 0 || pulled != uint64(len(events)) {
		t.Fatalf("without a buffer: %d pushed, %d pulled; want all %d pulled", pushed, pulled, len(events))
	}
	push := newPusher(t)
	if s, why := register(t, push, buffer(0x1000, 4096)); s != abi.StatusOK {
		t.Fatalf("register: %v %s", s, why)
	}
	got := run(push)
	for i := range events {
		if !bytes.Equal(got[i], want[i]) || !bytes.Equal(want[i], events[i]) {
			t.Errorf("event %d: pushed guest read %d bytes, pulling guest %d, sent %d", i, len(got[i]), len(want[i]), len(events[i]))
		}
	}
	// The register event itself was pulled; the 5000-byte one did not fit.
	if pushed, pulled := paths(push); pushed != 4 || pulled != 2 {
		t.Errorf("with a 4096-byte buffer: %d pushed, %d pulled; want 4 and 2", pushed, pulled)
	}
	mem, _ := push.Module().Memory().Read(0x1000, 4096)
	if id := binary.LittleEndian.Uint64(mem[8:]); id != 6 {
		t.Errorf("the buffer holds event %d's envelope; want the last pushed, 6", id)
	}
}

// TestRegisterEventBufferRefusals: a buffer that is not whole inside the
// guest's memory, too short, too long, at address 0 or badly encoded is
// refused with a reason, and the registration in force (none, or the
// earlier) stays; a later one replaces it, length 0 withdraws it.
func TestRegisterEventBufferRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newPusher(t)
	cut := buffer(0x1000, 4096)
	w := abi.NewWriter(nil)
	w.Int(abi.FieldAddress, 0x1000)
	onlyAddress := w.Bytes()
	w = abi.NewWriter(nil)
	w.String(abi.FieldAddress, "0x1000")
	w.Int(abi.FieldLength, 4096)
	textAddress := w.Bytes()
	for _, c := range []struct {
		name   string
		fields []byte
		status abi.Status
		reason string
	}{
		{"null", buffer(0, 4096), abi.StatusBadArgument, "register_event_buffer: address 0 is a null pointer"},
		{"short", buffer(0x1000, 10), abi.StatusBadArgument, "register_event_buffer: length 10 is not between 24 (an envelope header) and 65536"},
		{"long", buffer(0x1000, 70000), abi.StatusBadArgument, "length 70000 is not between"},
		{"negative length", buffer(0x1000, -1), abi.StatusBadArgument, "length -1 is not between"},
		{"past the end", buffer(pusherMemory-100, 4096), abi.StatusInvalidMemory, "register_event_buffer: the buffer at 130972, 4096 bytes, is outside the guest's memory of 131072 bytes"},
		{"wrapping", buffer(0xFFFFFFF0, 4096), abi.StatusInvalidMemory, "is outside the guest's memory"},
		{"beyond 32 bits", buffer(1<<40, 4096), abi.StatusInvalidMemory, "is outside the guest's memory"},
		{"negative address", buffer(-8, 4096), abi.StatusInvalidMemory, "is outside the guest's memory"},
		{"no length", onlyAddress, abi.StatusBadArgument, "register_event_buffer: length: missing"},
		{"address as text", textAddress, abi.StatusBadArgument, "register_event_buffer: address: wire type bytes"},
		{"cut short", cut[:len(cut)-3], abi.StatusBadArgument, "register_event_buffer: malformed argument fields"},
	} {
		s, why := register(t, g, c.fields)
		if s != c.status || !strings.Contains(why, c.reason) || strings.Count(why, "register_event_buffer") != 1 {
			t.Errorf("%s: %v %q; want %v %q", c.name, s, why, c.status, c.reason)
		}
		if g.inst.push != (eventBuffer{}) {
			t.Errorf("%s: refused, but a buffer is registered: %+v", c.name, g.inst.push)
		}
	}
	// call delivers an event and reports whether it was pushed.
	call := func(kind abi.EventKind, fields []byte) bool {
		t.Helper()
		pushed0, pulled0 := paths(g)
		if res := callOf(g, ctx, kind, fields, time.Second); res.Crash != nil || res.Status != abi.StatusOK {
			t.Fatalf("event: %v %v", res.Status, res.Crash)
		}
		pushed, pulled := paths(g)
		if pushed+pulled != pushed0+pulled0+1 {
			t.Fatalf("the event was neither pushed nor pulled")
		}
		return pushed == pushed0+1
	}
	if call(abi.EventPhoneMessage, payloadOf(50)) {
		t.Fatal("after refusals only, an event was pushed")
	}

	// A good registration, then a refused one: the first stays.
	if s, why := register(t, g, buffer(0x1000, 256)); s != abi.StatusOK {
		t.Fatalf("register: %v %s", s, why)
	}
	if s, _ := register(t, g, buffer(pusherMemory, 256)); s != abi.StatusInvalidMemory {
		t.Fatalf("a buffer starting at the end of memory: %v", s)
	}
	if !call(abi.EventPhoneMessage, payloadOf(50)) {
		t.Fatal("a refused registration dropped the one in force")
	}
	// Re-registering moves the buffer: the old one is no longer written.
	if s, why := register(t, g, buffer(0x3000, 256)); s != abi.StatusOK {
		t.Fatalf("re-register: %v %s", s, why)
	}
	old, _ := g.Module().Memory().Read(0x1000, 256)
	before := bytes.Clone(old)
	if !call(abi.EventPhoneMessage, payloadOf(50)) {
		t.Error("the event after re-registering was not pushed")
	}
	if !bytes.Equal(old, before) {
		t.Error("after re-registering, the old buffer was written")
	}
	// The last bytes of memory are a valid buffer: an envelope that fits
	// is pushed, one that does not is pulled, nothing lands outside.
	if s, why := register(t, g, buffer(pusherMemory-abi.HeaderSize, abi.HeaderSize)); s != abi.StatusOK {
		t.Fatalf("register the end of memory: %v %s", s, why)
	}
	if !call(abi.EventDidBecomeActive, nil) {
		t.Error("an empty envelope that fits the end of memory was not pushed")
	}
	if call(abi.EventPhoneMessage, payloadOf(50)) {
		t.Error("an envelope longer than the buffer was pushed")
	}
	// Length 0 withdraws the buffer.
	if s, why := register(t, g, buffer(0, 0)); s != abi.StatusOK {
		t.Fatalf("withdraw: %v %s", s, why)
	}
	if call(abi.EventDidBecomeActive, nil) {
		t.Error("an event was pushed after the buffer was withdrawn")
	}
}

// TestRestoreKeepsTheSnapshotsPushBuffer: an instance restored from its
// snapshot (the fuzzer's reset) has the push buffer it had registered when
// the snapshot was taken, not one a later run registered: the restored
// memory knows only the first, and the host would write into memory the
// guest has since reused.
func TestRestoreKeepsTheSnapshotsPushBuffer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newTestGuest(t, true)
	defer g.Close(ctx)
	if err := g.Instantiate(ctx, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	first := g.PushPath().Addr
	if !g.PushPath().Registered {
		t.Fatal("the Go SDK registered no push buffer in _initialize")
	}
	// An envelope over the SDK's 4 KiB buffer makes it register a larger one.
	if res := callOf(g, ctx, abi.EventPhoneMessage, payloadOf(6000), time.Second); res.Crash != nil || res.Status != abi.StatusOK {
		t.Fatalf("large event: %v %v", res.Status, res.Crash)
	}
	if moved := g.PushPath().Addr; moved == first {
		t.Fatal("the SDK did not register a larger buffer for a 6000-byte envelope")
	}
	g.Kill(ctx)
	if err := g.Instantiate(ctx, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	if g.Snapshots().Restores() != 1 {
		t.Fatalf("the instance was not restored (%d restores)", g.Snapshots().Restores())
	}
	if addr := g.PushPath().Addr; addr != first {
		t.Fatalf("restored instance's push buffer at %#x; its snapshot registered %#x", addr, first)
	}
	if res := callOf(g, ctx, abi.EventPhoneMessage, payloadOf(100), time.Second); res.Crash != nil || res.Status != abi.StatusOK || g.PushPath().Pushed != 1 {
		t.Fatalf("event after the restore: %v %v, %d pushed", res.Status, res.Crash, g.PushPath().Pushed)
	}
}
