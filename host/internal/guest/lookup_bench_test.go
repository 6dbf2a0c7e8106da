package guest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/abi"
)

// BenchmarkHostFuncLookup is what a host function pays to find its Guest
// from the calling module in a shared runtime (wasmRuntime.guests, a
// sync.Map), with 1 and 50 apps' instances in the runtime, against the
// whole round trip it is part of: a pulled event (event_read) against a
// pushed one, in the guest layer (Call), with the pusher test guest.
func BenchmarkHostFuncLookup(b *testing.B) {
	ctx := context.Background()
	for _, apps := range []int{1, 50} {
		cache := wazero.NewCompilationCache()
		wasm := metered(b, pusherWasm)
		var gs []*Guest
		for range apps {
			g := newShared(b, cache, 16, &recorder{}, wasm)
			if err := g.Instantiate(ctx, 0, time.Second); err != nil {
				b.Fatal(err)
			}
			gs = append(gs, g)
		}
		g := gs[0]
		mod := g.inst.mod
		b.Run("lookup/apps="+strconv.Itoa(apps), func(b *testing.B) {
			for b.Loop() {
				if v, ok := g.rt.guests.Load(mod); !ok || v.(*Guest) != g {
					b.Fatal("lookup failed")
				}
			}
		})
		if apps == 1 {
			fields := payloadOf(92)
			call := func(b *testing.B) {
				for b.Loop() {
					if res := callOf(g, ctx, abi.EventPhoneMessage, fields, time.Second); res.Crash != nil || res.Status != abi.StatusOK {
						b.Fatal(res.Crash, res.Status)
					}
				}
			}
			b.Run("pulled-event", call)
			if _, why := registerB(b, g, buffer(0x1000, 4096)); why != "" {
				b.Fatal(why)
			}
			b.Run("pushed-event", call)
		}
		for _, g := range gs {
			g.Close(ctx)
		}
		cache.Close(ctx)
	}
}

// registerB is register for benchmarks.
func registerB(b *testing.B, g *Guest, fields []byte) (abi.Status, string) {
	res := callOf(g, context.Background(), kindRegister, fields, time.Second)
	if res.Crash != nil {
		return 0, res.Crash.Error()
	}
	if res.Status != abi.StatusOK {
		return res.Status, "refused"
	}
	return res.Status, ""
}
