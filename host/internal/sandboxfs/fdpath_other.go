//go:build !linux

package sandboxfs

import "os"

// fdPath is not known without /proc: depths are counted on the path, which
// a symbolic link to a directory can shorten.
func fdPath(*os.File) (string, bool) { return "", false }
