package guest

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/sandboxfs"
)

// command is an event's fields with payload cmd, for the fileleak app.
func command(cmd string) []byte {
	var w abi.Writer
	w.Blob(abi.FieldPayload, []byte(cmd))
	return w.Bytes()
}

var fdLine = regexp.MustCompile(`fd=(\d+)`)

// TestRestoreClosesLeftFiles: a run that leaves a file open is not
// restored from: its instance is closed (with its files) and a new one
// started, so the next run gets the descriptor a new instance would and
// no host file stays open. A run that closes its files is restored.
func TestRestoreClosesLeftFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var log bytes.Buffer
	g := newAppGuest(t, fileleakWasm, true, zerolog.New(&log))
	fs, err := sandboxfs.New(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	g.Mount(fs)
	// run starts an instance (new or restored), delivers cmd and returns
	// the descriptor the guest got.
	run := func(cmd string) string {
		t.Helper()
		log.Reset()
		if err := g.Instantiate(ctx, 1, time.Second); err != nil {
			t.Fatal(err)
		}
		if res := callOf(g, ctx, abi.EventPhoneMessage, command(cmd), time.Second); res.Crash != nil {
			t.Fatal(res.Crash)
		}
		g.Kill(ctx)
		m := fdLine.FindStringSubmatch(log.String())
		if m == nil {
			t.Fatalf("%s: the guest logged no descriptor:\n%s", cmd, log.String())
		}
		return m[1]
	}

	first := run("leak")
	if n := files(g); n != 1 {
		t.Fatalf("%d files tracked open after a leaking run, want 1", n)
	}
	for i := 0; i < 2; i++ {
		if fd := run("leak"); fd != first {
			t.Errorf("leaking run %d got descriptor %s, a new instance gets %s: the last run's file is still open", i+2, fd, first)
		}
		if n := files(g); n != 1 {
			t.Errorf("%d files still open after leaking run %d, want only its own", n, i+2)
		}
	}
	if g.Snapshots().Restores() != 0 {
		t.Errorf("%d restores of instances that held files their snapshot did not", g.Snapshots().Restores())
	}

	// A run that closes its file is restored from, and the next one
	// gets the same descriptor.
	open := run("open")
	if fd := run("open"); fd != open {
		t.Errorf("the restored instance got descriptor %s, the new one %s", fd, open)
	}
	if g.Snapshots().Restores() != 1 {
		t.Errorf("%d restores after a run that closed its files, want 1", g.Snapshots().Restores())
	}
	if n := files(g); n != 0 {
		t.Errorf("%d files open after runs that closed theirs", n)
	}
}

// files counts the files g's instances hold, but for the root directory.
func files(g *Guest) int {
	n := 0
	for f := range g.snaps.open {
		if !f.root {
			n++
		}
	}
	return n
}
