package host

import (
	"context"
	"testing"

	"github.com/watchbox/watchbox/abi"
)

func BenchmarkTmpParts(b *testing.B) {
	ctx := context.Background()
	rt := benchRuntime(b, Config{})
	a, _ := rt.Load(ctx, benchDir)
	a.Launch(ctx)
	b.Run("EventNil", func(b *testing.B) {
		for b.Loop() {
			a.Deliver(ctx, abi.EventPhoneMessage, nil)
		}
	})
	b.Run("EventLifecycleNil", func(b *testing.B) {
		for b.Loop() {
			a.Deliver(ctx, abi.EventDidFinishLaunching, nil)
		}
	})
	b.Run("Event100", func(b *testing.B) {
		f := payload100()
		for b.Loop() {
			a.Deliver(ctx, abi.EventPhoneMessage, f)
		}
	})
}
