package drive

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/watchbox/watchbox/host/scenario"
)

// Routes answers apps' downloads from a scenario's routes, in process: it
// is an http.RoundTripper for host.Config.HTTPClient, so no socket is
// opened and every answer is the same every run. The host name is not
// matched (apps name their real servers); method and path are. A request
// with no route gets 404. Serve actions change the routes.
type Routes struct {
	mu     sync.Mutex
	routes map[string]scenario.Route // "METHOD /path"
}

// NewRoutes returns a transport that serves rs.
func NewRoutes(rs []scenario.Route) *Routes {
	t := &Routes{routes: map[string]scenario.Route{}}
	for _, r := range rs {
		t.Set(r)
	}
	return t
}

// Set adds r, or replaces the route with its method and path.
func (t *Routes) Set(r scenario.Route) {
	t.mu.Lock()
	t.routes[r.Method+" "+r.Path] = r
	t.mu.Unlock()
}

// Delay is the route's delay= for a download of u; it is a
// host.Config.Latency.
func (t *Routes) Delay(u string) time.Duration {
	p, err := url.Parse(u)
	if err != nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.routes["GET "+p.Path].Delay
}

// RoundTrip answers req from the route of its method and path.
func (t *Routes) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	r, ok := t.routes[req.Method+" "+req.URL.Path]
	t.mu.Unlock()
	if !ok {
		r = scenario.Route{Status: http.StatusNotFound, Body: []byte("no route for " + req.Method + " " + req.URL.Path + " in the scenario\n"), ContentType: "text/plain"}
	}
	h := http.Header{}
	if r.ContentType != "" {
		h.Set("Content-Type", r.ContentType)
	}
	return &http.Response{
		StatusCode: r.Status, Status: fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status)),
		Header: h, Body: io.NopCloser(bytes.NewReader(r.Body)), ContentLength: int64(len(r.Body)),
		Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}
