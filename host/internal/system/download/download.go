// Package download is background URL sessions: the host fetches a URL the
// manifest allows (every redirect hop checked), stores the body in the
// app's data container and wakes the app with a url_session task, even if
// it was suspended or purged meanwhile.
package download

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

// Config is how a runtime fetches downloads.
type Config struct {
	// Client fetches; nil means a client with a one-minute timeout.
	Client *http.Client
	// Virtual: the runtime runs on the virtual clock, so a download
	// completes in step with it (and Latency applies).
	Virtual bool
	// Latency, if set, adds to the time a download of url takes on the
	// virtual clock.
	Latency func(url string) time.Duration
	// Fetches is the context of real-clock downloads; Inflight counts
	// them, so that the runtime can wait for them when it closes.
	Fetches  context.Context
	Inflight *sync.WaitGroup
}

// Feature is one app's background downloads.
type Feature struct {
	a   *system.App
	cfg Config
	// active counts the downloads started and not yet finished (waiting
	// for their start time or fetching), held under the app's lock; it is
	// capped by max_concurrent_downloads.
	active int
	// seq numbers the downloads, so that each has its own temporary file.
	seq int
	// flights are the downloads started and not yet finished, by seq, for
	// the saved state: a restart fetches them again.
	flights map[int]flight
}

// flight is a download in flight.
type flight struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	Tmp string `json:"tmp"` // its temporary file in the container
}

// Register adds the downloads feature to a: its op.
func Register(a *system.App, cfg Config) *Feature {
	f := &Feature{a: a, cfg: cfg, flights: map[int]flight{}}
	a.Features.Handle(abi.OpStartDownload, f.start)
	a.Features.Durable("downloads", f.save, f.restore)
	return f
}

// downloadLatency is how long after its request a background download
// completes on the virtual clock (plus Config.Latency); on the real clock
// the fetch starts then and takes what it takes.
const downloadLatency = time.Second

// startDownload carries out a background URL session download from the
// guest: the host fetches url (only from the manifest's allowedHosts),
// stores the body in the app's container under /Downloads/IDENTIFIER, and
// wakes the app with a url_session task carrying the status, file and
// error, even if it was suspended or purged meanwhile.
func (f *Feature) start(args []byte) ([]byte, abi.Status, string) {
	var m msg.StartDownload
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	id, raw := m.Identifier, m.URL
	refuse := func(format string, args ...any) ([]byte, abi.Status, string) {
		return system.Refuse(abi.OpStartDownload, abi.StatusBadArgument, format, args...)
	}
	if p := abi.SessionIDProblem(id); p != "" {
		return refuse("id %q %s", id, p)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return refuse("url %q does not parse: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return refuse("url %q: the scheme must be http or https", raw)
	case u.Host == "":
		return refuse("url %q has no host", raw)
	}
	a := f.a
	now := a.Now()
	if !a.Manifest.AllowsHost(u.Host) {
		a.Report(policy.Decision{Time: now, Kind: policy.KindURLSession, Verdict: policy.Drop, Rule: policy.RuleURLSessionHostNotAllowed,
			Reason: fmt.Sprintf("download %s refused: %s is not in the manifest's allowedHosts %v", id, u.Host, a.Manifest.AllowedHosts)})
		return system.Refuse(abi.OpStartDownload, abi.StatusNotAllowed, "host %s is not in the manifest's allowedHosts %v; add it there", u.Host, a.Manifest.AllowedHosts)
	}
	if d, ok := f.admit(id, now); !ok {
		a.Report(d)
		return system.Refuse(abi.OpStartDownload, abi.StatusLimit, "%d of %d concurrent downloads are in progress (max_concurrent_downloads); start this one when one has finished",
			d.Numbers["active"], d.Numbers["limit"])
	}
	f.launch(id, u.String(), now, "started")
	return system.Done(nil)
}

// launch starts the download id of u at now (how names it in the
// decision: started, restarted).
func (f *Feature) launch(id, u string, now time.Time, how string) {
	a := f.a
	f.active++
	f.seq++
	seq, tmp := f.seq, f.tempName(id)
	f.flights[seq] = flight{ID: id, URL: u, Tmp: tmp}
	took, extra := downloadLatency, ""
	if lat := f.cfg.Latency; lat != nil && f.cfg.Virtual {
		if d := lat(u); d > 0 {
			took += d
			extra = fmt.Sprintf("; it completes in %s", took)
		}
	}
	a.Report(policy.Decision{Time: now, Kind: policy.KindURLSession, Verdict: policy.Scheduled, Rule: policy.RuleURLSessionStarted,
		Reason: fmt.Sprintf("download %s of %s %s%s", id, u, how, extra)})
	a.Env.Sched.At(now.Add(took), a.ID+" download "+id, func() {
		if f.cfg.Virtual {
			f.finish(seq, id, u, tmp) // in step with the virtual clock
			return
		}
		f.cfg.Inflight.Add(1) // a slow server must not hold up other timers
		go func() {
			defer f.cfg.Inflight.Done()
			f.finish(seq, id, u, tmp)
		}()
	})
}

// finish fetches the URL, stores the body and delivers the task.
func (f *Feature) finish(seq int, id, u, tmp string) {
	status, size, fetchErr := f.fetch(id, u, tmp)
	a := f.a
	a.Lock()
	defer a.Unlock()
	f.active--
	delete(f.flights, seq)
	if a.Life.Closed() {
		return
	}
	now := a.Env.Clock.Now()
	reason := fmt.Sprintf("download %s finished: HTTP %d, %d bytes in /Downloads/%s", id, status, size, id)
	if fetchErr != nil {
		reason = fmt.Sprintf("download %s failed: %v", id, fetchErr)
	}
	a.Report(policy.Decision{Time: now, Kind: policy.KindURLSession, Verdict: policy.Run, Rule: policy.RuleURLSessionFinished, Reason: reason})
	t := &system.Task{Kind: abi.TaskURLSession, Session: id, Status: status}
	if fetchErr != nil {
		t.Err = fetchErr.Error()
	} else {
		t.File = "/Downloads/" + id
	}
	a.Tasks.Deliver(context.Background(), []*system.Task{t})
}

// errHostNotAllowed is the error of a redirect to a host the manifest
// does not allow.
var errHostNotAllowed = errors.New("is not in the manifest's allowedHosts")

// allowListed returns a copy of base (or of a default client) that checks
// every redirect hop against the manifest's allowedHosts before following
// it: a download may only ever touch the hosts the app declared, so an
// allowed host cannot hand the request on to another one.
func (f *Feature) allowListed(base *http.Client) *http.Client {
	c := &http.Client{Timeout: time.Minute}
	if base != nil {
		copied := *base
		c = &copied
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		// Without the app's lock: the manifest may be reloaded meanwhile.
		if m := f.a.LiveManifest(); !m.AllowsHost(req.URL.Host) {
			return fmt.Errorf("redirect to %s refused: %s %w %v", req.URL.Redacted(), req.URL.Host, errHostNotAllowed, m.AllowedHosts)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return c
}

// fetch downloads u into the container, through the app's sandboxed,
// quota-checked filesystem (see store).
func (f *Feature) fetch(id, u, tmp string) (int, int64, error) {
	client := f.allowListed(f.cfg.Client)
	req, err := http.NewRequestWithContext(f.cfg.Fetches, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	size, err := f.store(id, tmp, resp.Body)
	return resp.StatusCode, size, err
}
