package host

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/meter"
)

// BenchmarkEventRatio is issue 10's event figure in one run: a warm
// App.Deliver of a 100-byte payload against bare wazero calls into the same
// instance (BarePayload, the target's baseline, and BareNoPayload), metered
// and unmetered. Every side runs a batch of calls per round, in an order
// rotated each round, timed on the calling thread's CPU time; the figure
// of a side is its best round, divided by the batch. Rounds:
// WATCHBOX_BENCH_ROUNDS (default 7). Target: Event at most 1.5x
// BarePayload. Two more sides split the event's time: Export calls
// watchbox_event as the bare export is called, with the envelope written
// into the app's push buffer (the guest's share), and GuestCall is the
// guest layer's Call (with the host's bookkeeping, without the system's).
func BenchmarkEventRatio(b *testing.B) {
	ctx := context.Background()
	rounds := benchRounds()
	const batch = 2000
	const perMode = 5 // sides per mode: GuestCall, Export, Event, BarePayload, BareNoPayload
	var sides []*benchSide
	for _, metered := range []bool{true, false} {
		mode := "metered"
		if !metered {
			mode = "unmetered"
		}
		rt := benchRuntime(b, Config{Unmetered: !metered})
		a, err := rt.Load(ctx, benchDir)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Launch(ctx); err != nil {
			b.Fatal(err)
		}
		fields := payload100()
		mod := a.sys.Guest.Module()
		bare := mod.ExportedFunction("bare")
		res, err := mod.ExportedFunction("bare_buffer").Call(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ptr := uint32(res[0])
		payload := make([]byte, 100)
		// The bare calls bypass the app's Gauge: give them all the fuel
		// there is and a limit of 0, so they never run out nor call refuel.
		// The next event's Gauge.Start sets both again.
		fuel, _ := mod.ExportedGlobal(meter.FuelExport).(api.MutableGlobal)
		limit, _ := mod.ExportedGlobal(meter.LimitExport).(api.MutableGlobal)
		refill := func() {
			if fuel != nil {
				fuel.Set(uint64(meter.MaxFuel))
				limit.Set(0)
			}
		}
		stack := make([]uint64, 2)
		// The envelope Deliver pushes, for the sides below it: GuestCall
		// is the guest layer's Call (clock, fuel budget, watchdog,
		// envelope, push) without the system's; Export is watchbox_event
		// called as the bare export is, with the envelope written into the
		// push buffer as BarePayload writes its payload.
		g := a.sys.Guest
		push := g.PushPath()
		pushAt := push.Addr
		if !push.Registered {
			b.Fatal("the bench app registered no push buffer")
		}
		env := abi.AppendHeader(nil, abi.Header{Version: abi.Version, Kind: abi.EventPhoneMessage, ID: 1})
		env = append(env, fields...)
		event := mod.ExportedFunction(abi.ExportEvent)
		sides = append(sides,
			&benchSide{name: mode + "/GuestCall", run: func() {
				var res guest.Result
				for range batch {
					if g.Call(ctx, abi.EventPhoneMessage, fields, time.Second, &res); res.Crash != nil || res.Status != abi.StatusOK {
						b.Fatal(res.Crash, res.Status)
					}
				}
			}},
			&benchSide{name: mode + "/Export", run: func() {
				refill()
				for range batch {
					mod.Memory().Write(pushAt, env)
					stack[0], stack[1] = uint64(abi.EventPhoneMessage), uint64(len(env))|uint64(abi.SizePushed)
					if err := event.CallWithStack(ctx, stack); err != nil || stack[0] != 0 {
						b.Fatal(err, stack[0])
					}
				}
			}},
		)
		sides = append(sides,
			&benchSide{name: mode + "/Event", run: func() {
				for range batch {
					if _, err := a.Deliver(ctx, abi.EventPhoneMessage, fields); err != nil {
						b.Fatal(err)
					}
				}
			}},
			&benchSide{name: mode + "/BarePayload", run: func() {
				refill()
				for range batch {
					mod.Memory().Write(ptr, payload)
					stack[0], stack[1] = 1, 100
					if err := bare.CallWithStack(ctx, stack); err != nil {
						b.Fatal(err)
					}
				}
			}},
			&benchSide{name: mode + "/BareNoPayload", run: func() {
				refill()
				for range batch {
					stack[0], stack[1] = 1, 0
					if err := bare.CallWithStack(ctx, stack); err != nil {
						b.Fatal(err)
					}
				}
			}},
		)
	}
	runRotated(b, rounds, sides, false)
	per := func(s *benchSide) float64 { return float64(s.best) / batch }
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nwarm event, thread CPU, best of %d rounds of %d calls\n", rounds, batch)
	for _, s := range sides {
		fmt.Fprintf(&sb, "%-26s %9.1f ns/call\n", s.name, per(s))
	}
	for i, mode := range []string{"metered", "unmetered"} {
		r := per(sides[perMode*i+2]) / per(sides[perMode*i+3])
		fmt.Fprintf(&sb, "%-26s %9.2fx (target 1.5x)\n", mode+" Event/BarePayload", r)
		fmt.Fprintf(&sb, "%-26s %9.2fx\n", mode+" GuestCall/BarePayload", per(sides[perMode*i])/per(sides[perMode*i+3]))
		fmt.Fprintf(&sb, "%-26s %9.2fx\n", mode+" Export/BarePayload", per(sides[perMode*i+1])/per(sides[perMode*i+3]))
		b.ReportMetric(r, mode+"-event/bare-x")
		b.ReportMetric(per(sides[perMode*i+2]), mode+"-event-ns")
	}
	fmt.Print(sb.String())
}

// BenchmarkEventFuel reports the fuel (the guest's metered instructions,
// the same on every machine) of the warm event BenchmarkEventRatio times,
// with and without its 100-byte payload, and of the bare export with and
// without 100 bytes: what the SDK's event path costs the guest, apart from
// the host.
func BenchmarkEventFuel(b *testing.B) {
	ctx := context.Background()
	rt := benchRuntime(b, Config{Virtual: true})
	a, err := rt.Load(ctx, benchDir)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Launch(ctx); err != nil {
		b.Fatal(err)
	}
	event := func(fields []byte) int64 {
		c, err := a.Deliver(ctx, abi.EventPhoneMessage, fields)
		if err != nil || c.Status != abi.StatusOK {
			b.Fatal(err, c.Status)
		}
		return c.Fuel
	}
	mod := a.sys.Guest.Module()
	fuel := mod.ExportedGlobal(meter.FuelExport).(api.MutableGlobal)
	limit := mod.ExportedGlobal(meter.LimitExport).(api.MutableGlobal)
	bare := func(n uint64) int64 {
		fuel.Set(uint64(meter.MaxFuel))
		limit.Set(0)
		if _, err := mod.ExportedFunction("bare").Call(ctx, 1, n); err != nil {
			b.Fatal(err)
		}
		return meter.MaxFuel - int64(fuel.Get())
	}
	var ev, empty, bare100, bare0 int64
	for range b.N {
		ev, empty, bare100, bare0 = event(payload100()), event(nil), bare(100), bare(0)
	}
	b.ReportMetric(float64(ev), "event-fuel")
	b.ReportMetric(float64(empty), "empty-event-fuel")
	b.ReportMetric(float64(bare100), "bare-payload-fuel")
	b.ReportMetric(float64(bare0), "bare-fuel")
}
