package procstatus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(p, []byte("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t    12 kB\nThreads:\t3\nVmBad:\tlots kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := path
	path = p
	t.Cleanup(func() { path = old })

	for _, c := range []struct {
		field string
		want  int64
		err   string
	}{
		{"VmHWM", 2048 << 10, ""},
		{"VmRSS", 12 << 10, ""},
		{"VmSwap", 0, "no field VmSwap"},
		{"VmBad", 0, "field VmBad"},
	} {
		got, err := Bytes(c.field)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Bytes(%q) = %d, %v; want an error with %q", c.field, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Bytes(%q) = %d, %v; want %d", c.field, got, err, c.want)
		}
	}
}
