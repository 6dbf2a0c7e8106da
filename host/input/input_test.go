package input

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	big := filepath.Join(dir, "big.json")
	fifo := filepath.Join(dir, "fifo")
	if err := os.WriteFile(small, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, make([]byte, 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	k := Kind{"push file", 4096}
	for _, tc := range []struct {
		path, want string
		data       string
	}{
		{path: small, data: `{"a":1}`},
		{path: big, want: big + ": the push file is 4.9 KiB, over the 4 KiB a push file may be"},
		{path: dir, want: dir + ": the push file is a directory, not a regular file"},
		{path: fifo, want: fifo + ": the push file is a FIFO (named pipe), not a regular file"},
		{path: "/dev/zero", want: "/dev/zero: the push file is a character device, not a regular file"},
		{path: filepath.Join(dir, "missing"), want: "no such file or directory"},
	} {
		done := make(chan struct{})
		var data []byte
		var err error
		go func() { data, err = Read(tc.path, k); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Read(%s) hangs", tc.path)
		}
		switch {
		case tc.want == "" && (err != nil || string(data) != tc.data):
			t.Errorf("Read(%s) = %q, %v; want %q", tc.path, data, err, tc.data)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("Read(%s) error = %v; want %q", tc.path, err, tc.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing"), k); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := Read(big, k); !IsTooLarge(err) {
		t.Errorf("IsTooLarge(%v) = false", err)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 16 << 20: "16 MiB", 1 << 30: "1 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
