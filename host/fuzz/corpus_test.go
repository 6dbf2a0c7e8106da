package fuzz

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCorpusLoadSkipsWhatItCannotUse fills a corpus directory with what a
// user might leave in it: a good file, a file that is not a corpus file, a
// FIFO (which os.ReadFile waits on forever), a link to /dev/zero (which
// os.ReadFile reads until memory runs out) and a file over the cap. Only
// the good input loads; every other file is named in a warning with its
// reason, and loading returns at once.
func TestCorpusLoadSkipsWhatItCannotUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good", EncodeCorpusFile([]byte("abc")))
	write("notes.txt", []byte("a note, not a corpus file\n"))
	write("huge", append([]byte(corpusHeader+"\n[]byte(\""), make([]byte, MaxCorpusFile)...))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero")); err != nil {
		t.Fatal(err)
	}
	type result struct {
		loaded  int
		skipped []string
		err     error
	}
	done := make(chan result, 1)
	c := newCorpus("")
	go func() {
		n, skipped, err := c.load(dir)
		done <- result{n, skipped, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("loading the corpus did not return in 20 s (blocked on the FIFO?)")
	}
	if r.err != nil || r.loaded != 1 || len(c.inputs) != 1 || string(c.inputs[0].data) != "abc" {
		t.Fatalf("loaded %d inputs (%v), err %v; want the one good input", r.loaded, c.inputs, r.err)
	}
	want := map[string]string{
		"notes.txt": "not a Go fuzzing corpus file",
		"huge":      "over the 1 MiB a corpus file may be",
		"fifo":      "FIFO (named pipe), not a regular file",
		"zero":      "character device, not a regular file",
	}
	if len(r.skipped) != len(want) {
		t.Errorf("skipped %q; want one line for each of %d files", r.skipped, len(want))
	}
	for name, reason := range want {
		found := false
		for _, s := range r.skipped {
			found = found || strings.HasPrefix(s, filepath.Join(dir, name)+": skipped: ") && strings.Contains(s, reason)
		}
		if !found {
			t.Errorf("no warning naming %s with %q in %q", name, reason, r.skipped)
		}
	}
}

// TestCorpusLoadStopsAtTheCap loads a directory into a corpus one input
// short of MaxCorpus: one input loads, and the rest are counted in a
// warning rather than kept past the cap.
func TestCorpusLoadStopsAtTheCap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, in := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(dir, in), EncodeCorpusFile([]byte(in)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := newCorpus("")
	for i := 0; i < MaxCorpus-1; i++ {
		c.inputs = append(c.inputs, &entry{})
	}
	n, skipped, err := c.load(dir)
	if err != nil || n != 1 || len(c.inputs) != MaxCorpus {
		t.Fatalf("loaded %d, %d inputs, %v; want 1 and %d", n, len(c.inputs), err, MaxCorpus)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0], "2 more corpus file(s) from b on not loaded") {
		t.Errorf("skipped %q; want one line counting b and c", skipped)
	}
}

// TestReplayRefusesAFIFO: --replay on a FIFO (a shell's <(...) is one)
// fails at once with what the file is, instead of waiting for a writer.
func TestReplayRefusesAFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "input")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Replay(context.Background(), Options{Bundle: "unused"}, fifo)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("replaying a FIFO: %v; want it refused as not a regular file", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("--replay on a FIFO did not return in 20 s")
	}
}

// TestCorpusThatIsAFile: --corpus naming a file says it wants a directory.
func TestCorpusThatIsAFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "corpus")
	if err := os.WriteFile(file, EncodeCorpusFile([]byte("a")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := newCorpus("").load(file)
	want := "fuzz: --corpus " + file + " is not a directory: give the directory of corpus files"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("load = %v; want %q", err, want)
	}
}
