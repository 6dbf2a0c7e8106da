// Command guest is a WASI (GOOS=wasip1) test program for package sandboxfs.
//
// Its arguments are commands separated by ";" arguments, for example
//
//	guest write /a 10 ";" read /a
//
// Each command prints exactly one line to stdout: "ok" or "ok:<detail>" on
// success, "err:<message>" on failure.
package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

func main() {
	var cmd []string
	for _, a := range append(os.Args[1:], ";") {
		if a != ";" {
			cmd = append(cmd, a)
			continue
		}
		if len(cmd) > 0 {
			fmt.Println(run(cmd))
		}
		cmd = nil
	}
}

func run(cmd []string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("err:bad command %q: %v", cmd, r)
		}
	}()
	arg := func(i int) string { return cmd[i] }
	num := func(i int) int64 {
		n, err := strconv.ParseInt(cmd[i], 10, 64)
		if err != nil {
			panic(err)
		}
		return n
	}
	result := func(detail string, err error) string {
		if err != nil {
			return "err:" + err.Error()
		}
		if detail == "" {
			return "ok"
		}
		return "ok:" + detail
	}
	switch cmd[0] {
	case "read": // read PATH
		b, err := os.ReadFile(arg(1))
		return result(strconv.Quote(string(b)), err)
	case "write": // write PATH SIZE: writes SIZE bytes 'x'
		return result("", os.WriteFile(arg(1), []byte(strings.Repeat("x", int(num(2)))), 0o644))
	case "writestr": // writestr PATH TEXT
		return result("", os.WriteFile(arg(1), []byte(arg(2)), 0o644))
	case "append": // append PATH TEXT
		f, err := os.OpenFile(arg(1), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return result("", err)
		}
		_, err = f.WriteString(arg(2))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return result("", err)
	case "pwrite": // pwrite PATH OFFSET TEXT
		f, err := os.OpenFile(arg(1), os.O_RDWR, 0)
		if err != nil {
			return result("", err)
		}
		defer f.Close()
		_, err = f.WriteAt([]byte(arg(3)), num(2))
		return result("", err)
	case "seekread": // seekread PATH OFFSET N
		f, err := os.Open(arg(1))
		if err != nil {
			return result("", err)
		}
		defer f.Close()
		if _, err := f.Seek(num(2), 0); err != nil {
			return result("", err)
		}
		b := make([]byte, num(3))
		n, err := f.Read(b)
		return result(strconv.Quote(string(b[:n])), err)
	case "fill": // fill PATH CHUNK: writes CHUNK-sized blocks until an error
		f, err := os.Create(arg(1))
		if err != nil {
			return result("", err)
		}
		defer f.Close()
		chunk := []byte(strings.Repeat("y", int(num(2))))
		total := 0
		for {
			n, err := f.Write(chunk)
			total += n
			if err != nil {
				return fmt.Sprintf("ok:%d:%v", total, err)
			}
			if total > 1<<30 {
				return "err:no error after 1 GiB"
			}
		}
	case "truncate": // truncate PATH SIZE
		return result("", os.Truncate(arg(1), num(2)))
	case "readdir": // readdir PATH: sorted names, directories with a "/" suffix
		entries, err := os.ReadDir(arg(1))
		var names []string
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() {
				n += "/"
			}
			names = append(names, n)
		}
		slices.Sort(names)
		return result(strings.Join(names, ","), err)
	case "stat": // stat PATH
		fi, err := os.Stat(arg(1))
		if err != nil {
			return result("", err)
		}
		return result(fmt.Sprintf("size=%d dir=%t mtime=%d", fi.Size(), fi.IsDir(), fi.ModTime().Unix()), nil)
	case "mkdirall":
		return result("", os.MkdirAll(arg(1), 0o755))
	case "mkdir":
		return result("", os.Mkdir(arg(1), 0o755))
	case "remove":
		return result("", os.Remove(arg(1)))
	case "removeall":
		return result("", os.RemoveAll(arg(1)))
	case "rename": // rename OLD NEW
		return result("", os.Rename(arg(1), arg(2)))
	case "symlink": // symlink TARGET LINK
		return result("", os.Symlink(arg(1), arg(2)))
	case "link": // link OLD NEW
		return result("", os.Link(arg(1), arg(2)))
	case "readlink":
		return result(os.Readlink(arg(1)))
	case "chtimes": // chtimes PATH UNIXSECONDS
		t := time.Unix(num(2), 0)
		return result("", os.Chtimes(arg(1), t, t))
	case "env":
		env := os.Environ()
		return result(fmt.Sprintf("%d:%s", len(env), strings.Join(env, ",")), nil)
	case "rawopen": // rawopen PATH: path_open on the preopen, path not cleaned by Go
		return rawOpen(arg(1))
	}
	return "err:unknown command " + cmd[0]
}

//go:wasmimport wasi_snapshot_preview1 path_open
//go:noescape
func pathOpen(fd int32, dirflags uint32, path unsafe.Pointer, pathLen uint32, oflags uint32,
	rightsBase, rightsInheriting uint64, fdflags uint32, newFD unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 fd_read
//go:noescape
func fdRead(fd int32, iovs unsafe.Pointer, iovsLen uint32, nread unsafe.Pointer) uint32

// rawOpen opens path relative to the first preopen (fd 3, the sandbox "/"),
// bypassing the path cleaning Go's os and syscall packages do, and reads it.
// It prints "errno=N" on failure, N being the WASI errno.
func rawOpen(path string) string {
	const (
		lookupSymlinkFollow = 1
		rightFDRead         = 1 << 1
	)
	p := []byte(path)
	var fd int32
	if errno := pathOpen(3, lookupSymlinkFollow, unsafe.Pointer(&p[0]), uint32(len(p)), 0,
		rightFDRead, 0, 0, unsafe.Pointer(&fd)); errno != 0 {
		return fmt.Sprintf("err:errno=%d", errno)
	}
	buf := make([]byte, 256)
	iov := [2]uint32{uint32(uintptr(unsafe.Pointer(&buf[0]))), uint32(len(buf))}
	var n uint32
	if errno := fdRead(fd, unsafe.Pointer(&iov), 1, unsafe.Pointer(&n)); errno != 0 {
		return fmt.Sprintf("err:read errno=%d", errno)
	}
	return "ok:" + strconv.Quote(string(buf[:n]))
}
