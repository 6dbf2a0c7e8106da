package durable

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/watchbox/watchbox/host/input"
)

func TestWriteReadRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "app.state")
	for _, body := range []string{`{"app":"a"}`, `{"app":"a","more":1}`, ""} {
		if err := Write(path, []byte(body)); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path)
		if err != nil || string(got) != body {
			t.Fatalf("Read = %q, %v; want %q", got, err, body)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want the state file alone (no temporary left)", len(entries))
	}
}

func TestReadMissing(t *testing.T) {
	t.Parallel()
	_, err := Read(filepath.Join(t.TempDir(), "none.state"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Read of a missing file = %v, want fs.ErrNotExist", err)
	}
}

// TestDecodeBadFiles: every way a state file can be cut or damaged is an
// *Error that says what is wrong, never a panic and never a body.
func TestDecodeBadFiles(t *testing.T) {
	t.Parallel()
	good := Encode([]byte(`{"app":"com.example.a","features":{}}`))
	flip := append([]byte{}, good...)
	flip[len(flip)-4] ^= 0x20
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":           {nil, "is empty"},
		"header cut":      {good[:10], "is truncated in its header line"},
		"body cut":        {good[:len(good)-1], "is truncated: 36 of its 37 bytes"},
		"body cut to 0":   {good[:strings.IndexByte(string(good), '\n')+1], "is truncated: 0 of its 37 bytes"},
		"longer":          {append(append([]byte{}, good...), '\n'), "is corrupt: 38 bytes where its header says 37"},
		"bit flip":        {flip, "is corrupt: its checksum"},
		"not ours":        {[]byte("{\"app\":\"x\"}\n"), "is not a watchbox state file"},
		"no newline":      {[]byte("PK\x03\x04 binary junk without a newline"), "is not a watchbox state file"},
		"zero version":    {[]byte("watchbox-state v0 crc32c=00000000 len=0\n"), "has a bad format version"},
		"words":           {[]byte("watchbox-state vX crc32c=00000000 len=0\n"), "has a bad format version"},
		"damaged header":  {[]byte("watchbox-state v1 crc=1 len=0\n"), "has a damaged header line"},
		"negative length": {[]byte("watchbox-state v1 crc32c=00000000 len=-4\n"), "has a damaged header line"},
		"huge length":     {[]byte("watchbox-state v1 crc32c=00000000 len=99999999999999999999\n"), "has a damaged header line"},
		"newer":           {[]byte("watchbox-state v2 crc32c=00000000 len=0\n"), "written by a newer watchbox (format version 2; this one reads up to 1)"},
		"long line":       {[]byte(strings.Repeat("a", 300) + "\n"), "is not a watchbox state file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := Decode("/state/a.state", c.data)
			var e *Error
			if !errors.As(err, &e) || body != nil {
				t.Fatalf("Decode = %q, %v; want an *Error", body, err)
			}
			if msg := err.Error(); !strings.Contains(msg, c.want) || !strings.Contains(msg, "/state/a.state") {
				t.Errorf("error %q does not name the file or say %q", msg, c.want)
			}
			if name == "newer" != e.Newer {
				t.Errorf("Newer = %v", e.Newer)
			}
		})
	}
}

// TestReadRefusesOddFiles: a FIFO, a directory or a huge file is refused
// by input's checks, without hanging or reading it whole.
func TestReadRefusesOddFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.state")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := Read(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Read(FIFO) = %v", err)
	}
	big := filepath.Join(dir, "big.state")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(MaxSize + 1)
	f.Close()
	if _, err := Read(big); !input.IsTooLarge(err) {
		t.Errorf("Read(huge) = %v, want a too-large error", err)
	}
	if err := Write(filepath.Join(dir, "x.state"), make([]byte, MaxSize)); err == nil {
		t.Errorf("Write of more than MaxSize succeeded")
	}
}

// TestFailedWriteKeepsTheOldFile: a write that cannot finish (here, the
// directory became read-only) leaves the old file as it was, and no
// temporary file; CleanTemps removes those a crash left.
func TestFailedWriteKeepsTheOldFile(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "a.state")
	if err := Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if err := Write(path, []byte("new")); err == nil {
		t.Fatal("Write into a read-only directory succeeded")
	}
	if b, err := Read(path); err != nil || string(b) != "old" {
		t.Fatalf("after a failed write: %q, %v; want the old body", b, err)
	}
	os.Chmod(dir, 0o755)
	stale := filepath.Join(dir, ".a.state.tmp123")
	os.WriteFile(stale, []byte("half"), 0o644)
	CleanTemps(path)
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CleanTemps left %s", stale)
	}
}

// FuzzDecode: no input makes Decode panic, and a body it accepts is the
// end of the file and comes back from Encode.
func FuzzDecode(f *testing.F) {
	f.Add(Encode([]byte(`{"app":"a"}`)))
	f.Add([]byte("watchbox-state v1 crc32c=0 len=0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := Decode("x", data)
		if err != nil {
			return
		}
		if !strings.HasSuffix(string(data), string(body)) {
			t.Errorf("Decode(%q) = %q, not the file's end", data, body)
		}
		if back, err := Decode("x", Encode(body)); err != nil || string(back) != string(body) {
			t.Errorf("Encode/Decode of %q = %q, %v", body, back, err)
		}
	})
}
