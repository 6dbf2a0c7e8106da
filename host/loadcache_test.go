package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
)

// TestDamagedMeterEntryIsRemade: a load whose meter cache entry was
// truncated or had a byte flipped meters the module again, stores a sound
// entry and runs the same code (the same fuel for the first callback), and
// a load from the sound entry does too.
func TestDamagedMeterEntryIsRemade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cache := t.TempDir()
	launch := func() int64 {
		t.Helper()
		nop := zerolog.Nop()
		var fuel int64
		rt, err := New(ctx, Config{CacheDir: cache, DataDir: t.TempDir(), Logger: &nop, Virtual: true,
			OnCall: func(c Call) {
				if fuel == 0 {
					fuel = c.Fuel
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close(ctx)
		a, err := rt.Load(ctx, "../tests/apps/c-hello")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Launch(ctx); err != nil {
			t.Fatal(err)
		}
		if fuel <= 0 {
			t.Fatalf("first callback's fuel %d", fuel)
		}
		return fuel
	}
	want := launch()
	entries, err := filepath.Glob(filepath.Join(cache, "meter", "*.w2"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("meter cache entries %q, %v; want one", entries, err)
	}
	entry := entries[0]
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	for _, tc := range []struct {
		name    string
		content []byte
	}{{"truncated", good[:len(good)-100]}, {"byte flipped", flipped}, {"empty", nil}, {"sound", good}} {
		if err := os.WriteFile(entry, tc.content, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := launch(); got != want {
			t.Errorf("%s entry: first callback's fuel %d, want %d", tc.name, got, want)
		}
		if now, err := os.ReadFile(entry); err != nil || string(now) != string(good) {
			t.Errorf("%s entry: not replaced by a sound one (%d bytes, %v)", tc.name, len(now), err)
		}
	}
}
