//go:build !unix

package bundle

import "os/exec"

// stopAsGroup leaves cmd as exec.CommandContext made it: killed when its
// context is cancelled.
func stopAsGroup(cmd *exec.Cmd) (done func()) { return func() {} }
