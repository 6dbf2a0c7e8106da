package guest

import (
	"context"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// Host functions: the watchbox import module's five functions, as
// functions of the Guest whose instance called them (the shared runtime
// finds it from the calling module: guestOf). They are the ABI's side of
// a call, not the Guest's own behaviour, so they are not its methods.
// Each runs inside a guest call, with the Guest's owner holding its lock
// for that call. Every pointer and length is checked
// against the guest's memory; failures return a negated abi.Status.

func fail(stack []uint64, s abi.Status) { stack[0] = uint64(uint32(-int32(s))) }
func ok(stack []uint64, n int)          { stack[0] = uint64(uint32(int32(n))) }

// copyOut writes data to (ptr, limit) when it fits and returns its size.
func copyOut(mod api.Module, stack []uint64, data []byte) {
	ptr, limit := uint32(stack[0]), uint32(stack[1])
	if uint64(len(data)) <= uint64(limit) {
		if !mod.Memory().Write(ptr, data) {
			fail(stack, abi.StatusInvalidMemory)
			return
		}
	}
	ok(stack, len(data))
}

func hostEventRead(g *Guest, ctx context.Context, mod api.Module, stack []uint64) {
	if g.inst == nil || !g.inst.inEvent {
		fail(stack, abi.StatusNoEvent)
		return
	}
	copyOut(mod, stack, g.inst.env)
}

func hostEventReply(g *Guest, ctx context.Context, mod api.Module, stack []uint64) {
	if g.inst == nil || !g.inst.inEvent {
		fail(stack, abi.StatusNoEvent)
		return
	}
	ptr, size := uint32(stack[0]), uint32(stack[1])
	if size > maxReply {
		fail(stack, abi.StatusLimit)
		return
	}
	b, okRead := mod.Memory().Read(ptr, size)
	if !okRead {
		fail(stack, abi.StatusInvalidMemory)
		return
	}
	// Only the framing is checked here, not a msg type: what a reply
	// holds depends on the event (a handler's message, save_state's
	// state), and its reader decodes it with that event's type.
	r := abi.NewReader(b)
	for r.Next() {
	}
	if r.Err() != nil {
		fail(stack, abi.StatusBadArgument)
		return
	}
	g.inst.reply = append(g.inst.reply[:0], b...)
	ok(stack, 0)
}

func hostLog(g *Guest, ctx context.Context, mod api.Module, stack []uint64) {
	level, ptr, size := abi.Level(int32(stack[0])), uint32(stack[1]), uint32(stack[2])
	if level < abi.LevelDebug || level > abi.LevelError {
		fail(stack, abi.StatusBadArgument)
		return
	}
	truncated := size > maxLogLine
	if truncated {
		size = maxLogLine
	}
	b, okRead := mod.Memory().Read(ptr, size)
	if !okRead {
		fail(stack, abi.StatusInvalidMemory)
		return
	}
	g.chargeOutput(len(b))
	if !g.inst.out.take(int64(len(b)) + 1) {
		ok(stack, 0) // over the call's output budget: dropped and counted
		return
	}
	ev := g.cfg.Log.WithLevel(zerologLevel(level)).Str("source", "guest")
	if truncated {
		ev = ev.Bool("truncated", true)
	}
	ev.Msg(strings.ToValidUTF8(string(b), "\uFFFD"))
	ok(stack, 0)
}

func hostRequest(g *Guest, ctx context.Context, mod api.Module, stack []uint64) {
	op, ptr, size := abi.Op(uint32(stack[0])), uint32(stack[1]), uint32(stack[2])
	if size > maxArgs {
		refuse(g, stack, abi.StatusLimit, fmt.Sprintf("%v: arguments of %d bytes are over the limit of %d bytes", op, size, maxArgs))
		return
	}
	args, okRead := mod.Memory().Read(ptr, size)
	if !okRead {
		refuse(g, stack, abi.StatusInvalidMemory, fmt.Sprintf("%v: the arguments at %d, %d bytes, are outside the guest's memory of %d bytes",
			op, ptr, size, mod.Memory().Size()))
		return
	}
	// A copy: the handler may keep what it is given, and guest memory
	// lives outside the Go heap (package linmem), reused once the
	// instance is closed.
	g.inst.args = append(g.inst.args[:0], args...)
	res, status, reason := request(g, op, g.inst.args)
	if status != abi.StatusOK {
		refuse(g, stack, status, reason)
		if res != nil && reason != "" {
			g.inst.result = res // the op's own refusal record, with its error code
		}
		return
	}
	g.inst.result = res
	ok(stack, len(res))
}

// refuse fails a request with status and leaves its refusal, reason, as
// the result (docs/abi.md section 5): never the previous request's result.
func refuse(g *Guest, stack []uint64, status abi.Status, reason string) {
	if f := g.cfg.OnRefuse; f != nil {
		switch status {
		case abi.StatusBadArgument, abi.StatusInvalidMemory:
			f(abi.Op(uint32(stack[0])), status, reason)
		}
	}
	g.inst.result = nil
	if reason != "" {
		g.inst.result = msg.Refuse(reason)
	}
	fail(stack, status)
}

func hostResultRead(g *Guest, ctx context.Context, mod api.Module, stack []uint64) {
	copyOut(mod, stack, g.inst.result)
}

// request checks the encoding of a request's fields and hands it to the
// Handler. The framing is checked here, for every op alike, because
// docs/abi.md gives malformed fields -2 whatever op is (unknown ops too);
// the op's handler then decodes the fields with its msg type.
func request(g *Guest, op abi.Op, args []byte) ([]byte, abi.Status, string) {
	r := abi.NewReader(args)
	for r.Next() {
	}
	if r.Err() != nil {
		return nil, abi.StatusBadArgument, fmt.Sprintf("%v: malformed argument fields at byte %d: a header or value is cut short", op, r.Offset())
	}
	if op == abi.OpRegisterEventBuffer {
		// The Wasm side's own op: nothing of watchOS in it.
		status, reason := registerEventBuffer(g, args)
		return nil, status, reason
	}
	return g.cfg.Handler.Request(op, args)
}

// registerEventBuffer is register_event_buffer (docs/abi.md section 6, the
// push path): it checks the buffer the guest names lies whole inside its
// memory and has room for a header and no more than the largest envelope,
// and makes it the instance's push buffer, replacing any earlier one; a
// length of 0 withdraws it. A refused registration leaves the earlier one
// in place. The host keeps one address and one length per instance, so
// re-registering any number of times grows nothing.
func registerEventBuffer(g *Guest, args []byte) (abi.Status, string) {
	const op = abi.OpRegisterEventBuffer
	var m msg.EventBuffer
	if err := m.Decode(args); err != nil {
		return abi.StatusBadArgument, err.Error() // "register_event_buffer: FIELD: ..."
	}
	if m.Length == 0 {
		g.inst.push = eventBuffer{}
		return abi.StatusOK, ""
	}
	if m.Length < abi.MinEventBuffer || m.Length > abi.MaxEventBuffer {
		return abi.StatusBadArgument, fmt.Sprintf("%v: length %d is not between %d (an envelope header) and %d (the largest envelope); 0 withdraws the buffer",
			op, m.Length, abi.MinEventBuffer, abi.MaxEventBuffer)
	}
	if m.Address == 0 {
		return abi.StatusBadArgument, fmt.Sprintf("%v: address 0 is a null pointer; pass the address of a buffer of the guest's own", op)
	}
	mem := g.inst.mod.Memory()
	if m.Address < 0 || uint64(m.Address)+uint64(m.Length) > uint64(mem.Size()) {
		return abi.StatusInvalidMemory, fmt.Sprintf("%v: the buffer at %d, %d bytes, is outside the guest's memory of %d bytes",
			op, m.Address, m.Length, mem.Size())
	}
	g.inst.push = eventBuffer{mem: mem, addr: uint32(m.Address), size: uint32(m.Length)}
	return abi.StatusOK, ""
}
