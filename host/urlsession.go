package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// downloadLatency is how long after its request a background download
// completes on the virtual clock (plus Config.Latency); on the real clock
// the fetch starts then and takes what it takes.
const downloadLatency = time.Second

// maxDownload caps one download's body, on top of the app's data quota.
const maxDownload = 16 << 20

// startDownload carries out a background URL session download from the
// guest: the host fetches url (only from the manifest's allowedHosts),
// stores the body in the app's container under /Downloads/IDENTIFIER, and
// wakes the app with a url_session task carrying the status, file and
// error, even if it was suspended or purged meanwhile.
func (a *App) startDownload(args []byte) ([]byte, abi.Status) {
	var id, raw string
	r := abi.NewReader(args)
	for r.Next() {
		v := r.Value()
		switch v.Key {
		case abi.FieldSessionIdentifier:
			id, _ = v.Text()
		case abi.FieldURL:
			raw, _ = v.Text()
		}
	}
	u, err := url.Parse(raw)
	if id == "" || !abi.ValidSessionID(id) || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, abi.StatusBadArgument
	}
	now := a.now()
	if !a.manifest.AllowsHost(u.Host) {
		a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindURLSession, Verdict: policy.Drop, Rule: policy.RuleURLSessionHostNotAllowed,
			Reason: fmt.Sprintf("download %s refused: %s is not in the manifest's allowedHosts %v", id, u.Host, a.manifest.AllowedHosts)})
		return nil, abi.StatusNotAllowed
	}
	took, extra := downloadLatency, ""
	if f := a.rt.cfg.Latency; f != nil && a.rt.cfg.Virtual {
		if d := f(u.String()); d > 0 {
			took += d
			extra = fmt.Sprintf("; it completes in %s", took)
		}
	}
	a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindURLSession, Verdict: policy.Scheduled, Rule: policy.RuleURLSessionStarted,
		Reason: fmt.Sprintf("download %s of %s started%s", id, u, extra)})
	a.rt.sched.At(now.Add(took), a.id+" download "+id, func() {
		if a.rt.cfg.Virtual {
			a.finishDownload(id, u.String()) // in step with the virtual clock
			return
		}
		a.rt.inflight.Add(1) // a slow server must not hold up other timers
		go func() {
			defer a.rt.inflight.Done()
			a.finishDownload(id, u.String())
		}()
	})
	return nil, abi.StatusOK
}

// finishDownload fetches the URL, stores the body and delivers the task.
func (a *App) finishDownload(id, u string) {
	status, size, fetchErr := a.fetch(id, u)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	now := a.rt.clock.Now()
	reason := fmt.Sprintf("download %s finished: HTTP %d, %d bytes in /Downloads/%s", id, status, size, id)
	if fetchErr != nil {
		reason = fmt.Sprintf("download %s failed: %v", id, fetchErr)
	}
	a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindURLSession, Verdict: policy.Run, Rule: policy.RuleURLSessionFinished, Reason: reason})
	t := &bgTask{kind: abi.TaskURLSession, session: id, status: status}
	if fetchErr != nil {
		t.err = fetchErr.Error()
	} else {
		t.file = "/Downloads/" + id
	}
	a.deliverTasks(context.Background(), []*bgTask{t})
}

// errHostNotAllowed is the error of a redirect to a host the manifest
// does not allow.
var errHostNotAllowed = errors.New("is not in the manifest's allowedHosts")

// allowListed returns a copy of base (or of a default client) that checks
// every redirect hop against the manifest's allowedHosts before following
// it: a download may only ever touch the hosts the app declared, so an
// allowed host cannot hand the request on to another one.
func (a *App) allowListed(base *http.Client) *http.Client {
	c := &http.Client{Timeout: time.Minute}
	if base != nil {
		copied := *base
		c = &copied
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !a.manifest.AllowsHost(req.URL.Host) {
			return fmt.Errorf("redirect to %s refused: %s %w %v", req.URL.Redacted(), req.URL.Host, errHostNotAllowed, a.manifest.AllowedHosts)
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
// quota-checked filesystem.
func (a *App) fetch(id, u string) (int, int, error) {
	client := a.allowListed(a.rt.cfg.HTTPClient)
	req, err := http.NewRequestWithContext(a.rt.fetches, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return resp.StatusCode, 0, err
	}
	if len(body) > maxDownload {
		return resp.StatusCode, 0, fmt.Errorf("body over %d bytes", maxDownload)
	}
	if errno := a.fs.Mkdir("Downloads", 0o755); errno != 0 && errno != experimentalsys.EEXIST {
		return resp.StatusCode, 0, fmt.Errorf("creating /Downloads: %v", errno)
	}
	f, errno := a.fs.OpenFile("Downloads/"+id, experimentalsys.O_CREAT|experimentalsys.O_TRUNC|experimentalsys.O_WRONLY, 0o644)
	if errno != 0 {
		return resp.StatusCode, 0, fmt.Errorf("storing the body: %v", errno)
	}
	defer f.Close()
	if _, errno := f.Write(body); errno != 0 {
		return resp.StatusCode, 0, fmt.Errorf("storing %d bytes: %v (the app's data quota is %v)", len(body), errno, a.manifest.DataQuota)
	}
	return resp.StatusCode, len(body), nil
}
