package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestStepFilesFromHere: `watchbox step "route FILE"` names FILE from the
// directory it runs in; the live run reads the file, and it may have been
// started in another directory. Before, the run looked for a relative
// FILE in its own directory ("GPX file not found").
func TestStepFilesFromHere(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "c.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip("no unix sockets here:", err)
	}
	got := make(chan string, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query().Get("step")
		w.Write([]byte(`{"ok":true}`))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ step, want string }{
		{"route data/run.gpx", "route " + filepath.Join(wd, "data/run.gpx")},
		{"heart-rate workout hr.csv, status # note", "heart-rate workout " + filepath.Join(wd, "hr.csv") + "; status"},
		{"route /abs/run.gpx", "route /abs/run.gpx"},
		{"wrist-down; background", "wrist-down; background"},
	} {
		var out, errb bytes.Buffer
		code := controlCommand("step")(context.Background(), []string{"--control", sock, tc.step}, &out, &errb)
		if code != exitOK {
			t.Fatalf("watchbox step %q: exit %d: %s", tc.step, code, errb.String())
		}
		if s := <-got; s != tc.want {
			t.Errorf("watchbox step %q sent %q, want %q", tc.step, s, tc.want)
		}
	}
}
