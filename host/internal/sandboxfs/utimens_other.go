//go:build !linux

package sandboxfs

import (
	"os"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// futimens is only implemented on Linux; elsewhere setting times through an
// open file is unsupported (path-based FS.Utimens still works).
func futimens(*os.File, int64, int64) experimentalsys.Errno {
	return experimentalsys.ENOSYS
}
