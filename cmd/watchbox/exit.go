package main

// Exit codes of the watchbox command. They are part of the CLI's contract and
// are documented in README.md.
const (
	exitOK      = 0 // success
	exitError   = 1 // runtime or I/O failure not caused by the app
	exitUsage   = 2 // bad command line
	exitInvalid = 3 // invalid app: manifest, module or ABI
	exitCrash   = 4 // the guest crashed: trap, fuel exhausted or deadline exceeded
	exitExpect  = 5 // a scenario's expectations failed (simulate)
	exitFound   = 6 // the fuzzer found a problem, or a replayed finding still happens (fuzz)
)
