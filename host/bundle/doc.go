// Package bundle reads, validates and builds watchbox app bundles.
//
// A bundle is a directory holding a manifest file, watchapp.json, plus the
// app's code: either a prebuilt WebAssembly module ("module") or a Go main
// package ("source") that is built with GOOS=wasip1 GOARCH=wasm and
// -buildmode=c-shared.
//
// A minimal manifest:
//
//	{
//	  "CFBundleIdentifier": "dev.watchbox.hello",
//	  "CFBundleDisplayName": "Hello",
//	  "abiVersion": 1,
//	  "source": "."
//	}
//
// Keys use Apple's Info.plist names where watchOS has a counterpart. Parsing is
// strict: unknown and duplicate keys, wrong types and bad values are errors,
// and every problem in a manifest is reported at once (see [ManifestError]),
// each with the file, line and column of its key.
//
// [Bundle.Wasm] returns the module's bytes. Go sources are built into a cache
// keyed by a content hash of everything that goes into the build, so an
// unchanged app is never rebuilt.
package bundle
