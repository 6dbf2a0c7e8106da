package guest

import (
	"context"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/watchbox/watchbox/abi"
)

// Host functions. Each runs inside a guest call, with the Guest's owner
// holding its lock for that call. Every pointer and length is checked
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

func (g *Guest) hostEventRead(ctx context.Context, mod api.Module, stack []uint64) {
	if g.inst == nil || !g.inst.inEvent {
		fail(stack, abi.StatusNoEvent)
		return
	}
	copyOut(mod, stack, g.inst.env)
}

func (g *Guest) hostEventReply(ctx context.Context, mod api.Module, stack []uint64) {
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

func (g *Guest) hostLog(ctx context.Context, mod api.Module, stack []uint64) {
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

func (g *Guest) hostRequest(ctx context.Context, mod api.Module, stack []uint64) {
	op, ptr, size := abi.Op(uint32(stack[0])), uint32(stack[1]), uint32(stack[2])
	if size > maxArgs {
		fail(stack, abi.StatusLimit)
		return
	}
	args, okRead := mod.Memory().Read(ptr, size)
	if !okRead {
		fail(stack, abi.StatusInvalidMemory)
		return
	}
	res, status := g.request(op, args)
	if status != abi.StatusOK {
		g.inst.result = g.inst.result[:0]
		fail(stack, status)
		return
	}
	g.inst.result = res
	ok(stack, len(res))
}

func (g *Guest) hostResultRead(ctx context.Context, mod api.Module, stack []uint64) {
	copyOut(mod, stack, g.inst.result)
}

// request checks the encoding of a request's fields and hands it to the
// Handler.
func (g *Guest) request(op abi.Op, args []byte) ([]byte, abi.Status) {
	r := abi.NewReader(args)
	for r.Next() {
	}
	if r.Err() != nil {
		return nil, abi.StatusBadArgument
	}
	return g.cfg.Handler.Request(op, args)
}
