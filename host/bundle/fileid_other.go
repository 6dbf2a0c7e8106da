//go:build !linux

package bundle

// fileID is what a digest record compares to tell that a file is the one
// it hashed (see digest).
type fileID struct {
	Size, ModNS, CtimeNS int64
	Ino, Dev             uint64
	Mode                 uint32
}

// statID reports no identity outside Linux, where a change time and an
// inode are not read: no digest record is written or taken, and a module
// is read and hashed on every load.
func statID(string) (fileID, bool) { return fileID{}, false }
