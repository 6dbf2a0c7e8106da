package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// serveSocket serves h on a new unix socket and returns its path.
func serveSocket(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "control.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip("no unix sockets here:", err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sock
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestControlAnswerThatIsNotOne: `watchbox status` talks to whatever
// listens at --control. An answer that never ends is cut at
// maxControlAnswer (it was read whole, for the client's one-minute
// timeout); an error answer that is not watchbox's JSON is quoted, where
// the command used to print "watchbox status: " and nothing else.
func TestControlAnswerThatIsNotOne(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"endless", func(w http.ResponseWriter, r *http.Request) { io.Copy(w, zeros{}) },
			"is over 16 MiB, more than a watchbox run sends; is it a watchbox run's control socket?"},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "404 page not found", http.StatusNotFound) },
			`answered 404 Not Found with "404 page not found\n", not a watchbox control answer`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sock := serveSocket(t, c.h)
			var stdout, stderr bytes.Buffer
			code := controlCommand("status")(context.Background(), []string{"--control", sock}, &stdout, &stderr)
			if code != exitError || !strings.Contains(stderr.String(), "watchbox status: ") || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), exitError, c.want)
			}
		})
	}
}
