package bundle

import (
	"os"
	"syscall"
)

// fileID is what a digest record compares to tell that a file is the one
// it hashed (see digest).
type fileID struct {
	Size, ModNS, CtimeNS int64
	Ino, Dev             uint64
	Mode                 uint32
}

// statID returns the identity of the file at path.
func statID(path string) (fileID, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fileID{}, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{Size: fi.Size(), ModNS: fi.ModTime().UnixNano(), CtimeNS: st.Ctim.Nano(),
		Ino: st.Ino, Dev: uint64(st.Dev), Mode: uint32(fi.Mode())}, true
}
