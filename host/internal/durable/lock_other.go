//go:build !unix

package durable

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("would block")

// lockFile does nothing where the system has no flock: the directory is
// not guarded there (documented on Lock).
func lockFile(*os.File) error { return nil }
