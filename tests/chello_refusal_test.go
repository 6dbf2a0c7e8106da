package tests

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// fakeWatchbox is a minimal "watchbox" host module for one instance: it
// delivers one event and refuses every request with not_found, leaving a
// refusal result with reason when reason is not empty (as hosts that give
// reasons do) and none otherwise (as ABI v1 hosts before them did).
type fakeWatchbox struct {
	env, reply, result []byte
	inEvent            bool
	reason             string
	requests           []abi.Op
}

func (f *fakeWatchbox) instantiate(ctx context.Context, t *testing.T, r wazero.Runtime) {
	t.Helper()
	copyOut := func(m api.Module, data []byte, ptr, limit uint32) int32 {
		if uint64(len(data)) <= uint64(limit) && !m.Memory().Write(ptr, data) {
			return -int32(abi.StatusInvalidMemory)
		}
		return int32(len(data))
	}
	_, err := r.NewHostModuleBuilder(abi.ImportModule).
		NewFunctionBuilder().WithFunc(func(_ context.Context, m api.Module, ptr, limit uint32) int32 {
		if !f.inEvent {
			return -int32(abi.StatusNoEvent)
		}
		return copyOut(m, f.env, ptr, limit)
	}).Export(abi.FuncEventRead).
		NewFunctionBuilder().WithFunc(func(_ context.Context, m api.Module, ptr, size uint32) int32 {
		b, _ := m.Memory().Read(ptr, size)
		f.reply = append([]byte(nil), b...)
		return 0
	}).Export(abi.FuncEventReply).
		NewFunctionBuilder().WithFunc(func(_ context.Context, m api.Module, level int32, ptr, size uint32) int32 { return 0 }).Export(abi.FuncLog).
		NewFunctionBuilder().WithFunc(func(_ context.Context, m api.Module, op, ptr, size uint32) int32 {
		f.requests = append(f.requests, abi.Op(op))
		f.result = nil
		if f.reason != "" {
			f.result = msg.Refuse(f.reason)
		}
		return -int32(abi.StatusNotFound)
	}).Export(abi.FuncRequest).
		NewFunctionBuilder().WithFunc(func(_ context.Context, m api.Module, ptr, limit uint32) int32 {
		return copyOut(m, f.result, ptr, limit)
	}).Export(abi.FuncResultRead).
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
}

// TestCGuestShowsRefusalReason runs the C guest against a fake host that
// refuses its complete_task with a reason: the guest's error reply carries
// the reason. Against a host that gives none, the reply is the v1 one.
func TestCGuestShowsRefusalReason(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	wasm, err := os.ReadFile(filepath.Join(chelloDir, "hello.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ reason, want string }{
		{"complete_task: task 7 is not open", "c-hello: complete_task(7) failed with status 1: complete_task: task 7 is not open"},
		{"", "c-hello: complete_task(7) failed with status 1"},
	} {
		r := wazero.NewRuntime(ctx)
		wasi_snapshot_preview1.MustInstantiate(ctx, r)
		f := &fakeWatchbox{reason: tc.reason}
		f.instantiate(ctx, t, r)
		mod, err := r.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithStartFunctions(abi.ExportInitialize))
		if err != nil {
			t.Fatal(err)
		}

		tasks := msg.BackgroundTasks{Tasks: []msg.Task{{ID: 7, Kind: abi.TaskApplicationRefresh}}}
		f.env = append(abi.AppendHeader(nil, abi.Header{Version: abi.Version, Kind: abi.EventBackgroundTasks, ID: 1}), tasks.Encode(nil)...)
		f.inEvent = true
		res, err := mod.ExportedFunction(abi.ExportEvent).Call(ctx, uint64(abi.EventBackgroundTasks), uint64(len(f.env)))
		f.inEvent = false
		if err != nil {
			t.Fatal(err)
		}
		var reply msg.Reply
		if err := reply.Decode(f.reply); err != nil {
			t.Fatalf("reply: %v", err)
		}
		if abi.Status(res[0]) != abi.StatusError || reply.Message != tc.want {
			t.Errorf("reason %q: status %v, message %q; want error, %q", tc.reason, abi.Status(res[0]), reply.Message, tc.want)
		}
		if len(f.requests) != 1 || f.requests[0] != abi.OpCompleteTask {
			t.Errorf("requests = %v, want one complete_task", f.requests)
		}
		r.Close(ctx)
	}
}
