package watch

import (
	"os"
	"path/filepath"
	"testing"
)

// saveByRename saves content to path as editors that write a temporary
// file and rename it over the original do.
func saveByRename(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	write(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// earlies starts a watcher on dir whose Early calls go to the returned
// channel.
func earlies(t *testing.T, dir string) (*tw, chan Early) {
	t.Helper()
	ch := make(chan Early, 64)
	return start(t, dir, Options{Early: func(e Early) { ch <- e }}), ch
}

// takeEarly returns the Early calls made so far (the test settled first).
func takeEarly(ch chan Early) []Early {
	var got []Early
	for {
		select {
		case e := <-ch:
			got = append(got, e)
		default:
			return got
		}
	}
}

// TestEarlyComesBeforeTheBatch: a save is announced as soon as its event
// is handled, while the debounce still runs, with the Gen it made; the
// batch then finds what the event read, so Gen stays. A save of the same
// content is announced by nothing and moves no Gen.
func TestEarlyComesBeforeTheBatch(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w, ch := earlies(t, dir)
	main := filepath.Join(dir, "main.go")
	g0 := w.Gen()
	saveByRename(t, main, "package main\n\nfunc main() {}\n")
	settle(t, w, dir)
	got := takeEarly(ch)
	if len(got) != 1 || got[0].Path != main || got[0].Quiet || got[0].Gen != w.Gen() || got[0].Gen <= g0 {
		t.Fatalf("Early calls %+v (Gen %d before, %d now); want one for %s with the Gen now", got, g0, w.Gen(), main)
	}
	if _, armed := w.clock.lastReset(); !armed {
		t.Fatal("the Early came after the debounce ended; want it before")
	}
	if c := receiveAfterFire(t, w); len(c.Paths) != 1 || c.Paths[0] != main {
		t.Fatalf("batch %q, want %s", c.Paths, main)
	}
	if w.Gen() != got[0].Gen {
		t.Fatalf("Gen %d after the batch, want %d: the batch found what the event read", w.Gen(), got[0].Gen)
	}

	g1 := w.Gen()
	saveByRename(t, main, "package main\n\nfunc main() {}\n") // the same bytes
	settle(t, w, dir)
	if again := takeEarly(ch); len(again) != 0 {
		t.Fatalf("a save of the same content made Early calls %+v", again)
	}
	if _, found := fire(t, w); found {
		t.Fatal("a save of the same content gave a batch")
	}
	if w.Gen() != g1 {
		t.Fatalf("a save of the same content moved Gen from %d to %d", g1, w.Gen())
	}
}

// receiveAfterFire ends the debounce and returns the batch.
func receiveAfterFire(t *testing.T, h *tw) Change {
	t.Helper()
	if armed, found := fire(t, h); !armed || !found {
		t.Fatalf("no batch: armed %v, found %v", armed, found)
	}
	return receive(t, h)
}

// TestEarlyForEachChangeThenQuiet: every save of new content within one
// debounce is announced, each with a higher Gen; when the content ends as
// it was, the batch has nothing to report and an Early with Quiet says
// so.
func TestEarlyForEachChangeThenQuiet(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w, ch := earlies(t, dir)
	main := filepath.Join(dir, "main.go")
	var gens []uint64
	for _, src := range []string{"package main // a\n", "package main // b\n", "package main\n"} {
		saveByRename(t, main, src)
		settle(t, w, dir)
		got := takeEarly(ch)
		if len(got) != 1 || got[0].Path != main || got[0].Quiet {
			t.Fatalf("after saving %q: Early calls %+v; want one for %s", src, got, main)
		}
		if len(gens) > 0 && got[0].Gen <= gens[len(gens)-1] {
			t.Fatalf("Gen %d after %v: want it higher", got[0].Gen, gens)
		}
		gens = append(gens, got[0].Gen)
	}
	if _, found := fire(t, w); found {
		t.Fatalf("got batch %q; want none: main.go is back as it was", receive(t, w).Paths)
	}
	if got := takeEarly(ch); len(got) != 1 || !got[0].Quiet || got[0].Path != "" {
		t.Fatalf("Early calls after the quiet batch: %+v; want one with Quiet", got)
	}
}

// TestEarlyNotForAFileRenamedAway: an editor that renames the original
// away before writing the new file (vim's backup) leaves the name
// missing for a moment; that moves Gen but is not announced, and the
// new file is.
func TestEarlyNotForAFileRenamedAway(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w, ch := earlies(t, dir)
	main := filepath.Join(dir, "main.go")
	g0 := w.Gen()
	if err := os.Rename(main, main+"~"); err != nil {
		t.Fatal(err)
	}
	settle(t, w, dir)
	if got := takeEarly(ch); len(got) != 0 || w.Gen() <= g0 {
		t.Fatalf("renaming main.go away: Early calls %+v, Gen %d -> %d; want none, and Gen moved", got, g0, w.Gen())
	}
	write(t, main, "package main // new\n")
	settle(t, w, dir)
	got := takeEarly(ch)
	if len(got) == 0 || got[len(got)-1].Path != main || got[len(got)-1].Gen != w.Gen() {
		t.Fatalf("writing main.go back: Early calls %+v (Gen %d); want the last for %s at the Gen now", got, w.Gen(), main)
	}
	if c := receiveAfterFire(t, w); len(c.Paths) != 1 || c.Paths[0] != main {
		t.Fatalf("batch %q, want %s", c.Paths, main)
	}
}
