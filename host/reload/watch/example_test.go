package watch_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/watchbox/watchbox/host/reload/watch"
)

func Example() {
	dir, err := os.MkdirTemp("", "watch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "watchapp.json"), []byte(`{"source": "."}`), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644)

	w, err := watch.New([]string{dir}, watch.Options{Debounce: 20 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	// An editor saves main.go the safe way: a temp file renamed over it.
	// The touch of watchapp.json changes no bytes, so it is not reported.
	tmp := filepath.Join(dir, "main.go.tmp")
	os.WriteFile(tmp, []byte("package main\n\nfunc main() {}\n"), 0o644)
	os.Rename(tmp, filepath.Join(dir, "main.go"))
	now := time.Now()
	os.Chtimes(filepath.Join(dir, "watchapp.json"), now, now)

	c := <-w.Changes()
	for _, p := range c.Paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// main.go
}
