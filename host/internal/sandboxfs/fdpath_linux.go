package sandboxfs

import (
	"os"
	"strconv"
)

// fdPath returns the path of the open file d, from /proc.
func fdPath(d *os.File) (string, bool) {
	p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(d.Fd())))
	return p, err == nil
}
