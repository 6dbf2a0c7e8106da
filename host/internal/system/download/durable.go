package download

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host/internal/policy"
)

// short cuts s to 64 bytes for a decision's reason.
func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// saved is the downloads feature's part of the app's saved state: the
// downloads in flight, in the order they started.
type saved struct {
	InFlight []flight `json:"in_flight,omitempty"`
}

func (f *Feature) save() any {
	if len(f.flights) == 0 {
		return nil
	}
	seqs := make([]int, 0, len(f.flights))
	for seq := range f.flights {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	var s saved
	for _, seq := range seqs {
		s.InFlight = append(s.InFlight, f.flights[seq])
	}
	return s
}

// restore starts again, from the first byte, every download that was in
// flight when the host died (an HTTP fetch cannot be resumed in general):
// the app still gets its url_session task. What the dead fetch had
// written is removed. Downloads past max_concurrent_downloads (the file
// was written under a larger cap, or by hand) are refused as the app's
// own would be, so that a state file cannot start more fetches at once
// than the profile allows.
func (f *Feature) restore(raw json.RawMessage, now time.Time) error {
	var s saved
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	for _, fl := range s.InFlight {
		if fl.ID == "" || fl.URL == "" {
			return fmt.Errorf("a download in flight has no identifier or URL")
		}
		if rest, ok := strings.CutPrefix(fl.Tmp, tempDir+"/"); ok && rest != "" && !strings.Contains(rest, "/") {
			f.a.FS.Unlink(fl.Tmp) // inside the container, like every path of the app's FS
		}
		if u, err := url.Parse(fl.URL); err != nil || !f.a.Manifest.AllowsHost(u.Host) {
			// The manifest changed since: the allow-list is checked again.
			f.a.Report(policy.Decision{Time: now, Kind: policy.KindURLSession, Verdict: policy.Drop, Rule: policy.RuleURLSessionHostNotAllowed,
				Reason: fmt.Sprintf("download %s not restarted: %s is not a URL of a host in the manifest's allowedHosts %v", short(fl.ID), short(fl.URL), f.a.Manifest.AllowedHosts)})
			continue
		}
		if d, ok := f.admit(fl.ID, now); !ok {
			d.Reason += "; it was in flight when the host stopped, and is not restarted"
			f.a.Report(d)
			continue
		}
		f.launch(fl.ID, fl.URL, now, "restarted after the host stopped")
	}
	return nil
}
