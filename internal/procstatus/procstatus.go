// Package procstatus reads the memory fields of /proc/self/status, which
// the host's memory tests and benchmarks compare before and after loading
// apps.
package procstatus

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// path is the file read; a variable so that the tests can point it elsewhere.
var path = "/proc/self/status"

// Bytes returns a "kB" field of /proc/self/status, such as VmRSS (resident
// memory) or VmHWM (its peak), in bytes. It fails where the file is missing
// (not Linux) or has no such field.
func Bytes(field string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte(field+":"))
		if !ok {
			continue
		}
		v := bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: field %s: %w", path, field, err)
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("%s: no field %s", path, field)
}
