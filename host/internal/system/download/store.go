package download

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// tempDir is where downloads are written while they arrive, in the app's
// container. It is not under /Downloads, so that no session identifier
// (which may start with a dot) can name a temporary file.
const tempDir = ".watchbox-downloads"

// chunk is the buffer a download streams its body through: what one
// download holds in RAM, whatever its size.
const chunk = 32 << 10

// tempName returns the temporary file of the download numbered f.seq.
func (f *Feature) tempName(id string) string {
	return tempDir + "/" + id + "." + strconv.Itoa(f.seq)
}

// admit decides whether the app may start download id now: fewer than
// max_concurrent_downloads of its downloads may be started and not yet
// finished. A download waiting for its start time counts, so the ones
// pending cannot pile up either. The app's lock must be held.
func (f *Feature) admit(id string, now time.Time) (policy.Decision, bool) {
	limit := f.a.Env.Rules.Profile().MaxConcurrentDownloads
	if f.active < limit {
		return policy.Decision{}, true
	}
	return policy.Decision{Time: now, Kind: policy.KindURLSession, Verdict: policy.Drop, Rule: policy.RuleURLSessionConcurrentLimit,
		Reason:  fmt.Sprintf("download %s refused: %d of %d concurrent downloads in progress (max_concurrent_downloads)", id, f.active, limit),
		Numbers: map[string]int64{"active": int64(f.active), "limit": int64(limit)}}, false
}

// errTooLarge is the error of a body over max_download_size.
var errTooLarge = errors.New("over max_download_size")

// store streams body into the container: into the temporary file tmp,
// chunk by chunk through the sandboxed filesystem (so the data quota is
// checked as it goes and RAM holds one chunk), then renamed onto
// /Downloads/ID. On any failure the temporary file is removed and an
// earlier /Downloads/ID is left as it was.
func (f *Feature) store(id, tmp string, body io.Reader) (size int64, err error) {
	fs := f.a.FS
	limit := int64(f.a.Env.Rules.Profile().MaxDownloadSize)
	for _, dir := range []string{tempDir, "Downloads"} {
		if errno := fs.Mkdir(dir, 0o755); errno != 0 && errno != experimentalsys.EEXIST {
			return 0, fmt.Errorf("creating /%s: %v", dir, errno)
		}
	}
	file, errno := fs.OpenFile(tmp, experimentalsys.O_CREAT|experimentalsys.O_EXCL|experimentalsys.O_WRONLY, 0o644)
	if errno != 0 {
		return 0, fmt.Errorf("storing the body: %v", errno)
	}
	defer func() {
		if errno := file.Close(); errno != 0 && err == nil {
			err = fmt.Errorf("storing the body: %v", errno)
		}
		if err != nil {
			fs.Unlink(tmp)
			return
		}
		if errno := fs.Rename(tmp, "Downloads/"+id); errno != 0 {
			fs.Unlink(tmp)
			err = fmt.Errorf("storing the body: %v", errno)
		}
	}()
	buf := make([]byte, chunk)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if size+int64(n) > limit {
				return size, fmt.Errorf("body %w (%d bytes)", errTooLarge, limit)
			}
			if _, errno := file.Write(buf[:n]); errno != 0 {
				return size, fmt.Errorf("storing %d bytes: %v (the app's data quota is %v)", size+int64(n), errno, f.a.LiveManifest().DataQuota)
			}
			size += int64(n)
		}
		if rerr == io.EOF {
			return size, nil
		}
		if rerr != nil {
			return size, rerr
		}
	}
}
