// Package watch tells `watchbox dev` when an app bundle's sources changed,
// so that it can rebuild and swap the module.
//
// A [Watcher] watches directory trees and sends one [Change] per burst of
// edits, naming the files whose content changed:
//
//	w, err := watch.New([]string{bundleDir}, watch.Options{})
//	if err != nil {
//		return err // a *LimitError says which sysctl to raise
//	}
//	defer w.Close()
//	for c := range w.Changes() {
//		if c.Err != nil {
//			log.Print(c.Err)
//		}
//		if len(c.Paths) > 0 {
//			rebuild()
//		}
//	}
//
// # Pitfalls handled
//
// fsnotify (inotify, kqueue, ReadDirectoryChangesW) has sharp edges that a
// naive watcher trips over; this package deals with each:
//
//   - Not recursive. Every directory of a tree is watched on its own. A
//     directory created later is watched as soon as its Create event arrives,
//     and it is walked then, so files written into it before its watch
//     existed are not missed. A removed or renamed-away directory is dropped
//     (and its files count as removed).
//   - Editors save by writing a temporary file and renaming it over the
//     original (or by renaming the original to a backup first). A watch on
//     the file itself would be lost, so only directories are watched and
//     events are matched by name; the file is read after the burst settles,
//     so a name that briefly does not exist mid-save is not a problem.
//   - One save is several events (create, write, rename, chmod), and a
//     "save all" touches many files. Events are debounced across all paths,
//     not per path: a batch is sent when no event arrived for
//     [Options.Debounce] (100 ms by default), so a burst gives one rebuild.
//     While the receiver is busy rebuilding, further batches are merged into
//     one rather than queued. A receiver that must not wait out the quiet
//     period before starting its build gets [Options.Early]: each content
//     change as soon as its event is handled, with the [Watcher.Gen] it
//     made, so that it can build ahead and keep the build at the batch
//     only if Gen did not move since.
//   - Chmod-only events (and the Chmod that some systems send on every
//     close or index) are ignored.
//   - VCS directories (.git, .hg, .svn, .bzr, _darcs), node_modules,
//     watchbox's own build temp directories (.build-*) and editor swap,
//     backup and lock files (*.swp, *~, .#*, #*#, vim's "4913" probe) are
//     ignored; [Options.IgnoreDirs] adds more (a build cache inside the tree).
//   - A change is not a change unless bytes differ. Each relevant file
//     ([Relevant]: Go sources, go.mod, go.sum, go.work, watchapp.json, .wasm
//     modules) is hashed when watching starts and again after an event, and
//     a batch in which no hash changed (a touch, a save of identical
//     content) is not sent. [Hash] gives the same content hash of a tree.
//   - The inotify watch limit (fs.inotify.max_user_watches) ends in ENOSPC,
//     "no space left on device", which misleads. It is reported as a
//     [*LimitError] that names the setting, its current value and the sysctl
//     command to raise it; too many inotify instances
//     (fs.inotify.max_user_instances, EMFILE) likewise.
//   - When the kernel's event queue overflows, events were lost: every tree
//     is walked and rehashed, and whatever differs is reported.
//
// Symbolic links are not followed.
package watch
