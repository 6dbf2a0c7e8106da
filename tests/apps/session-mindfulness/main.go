//go:build wasip1

// Command session is a test app of extended runtime sessions; see package
// sessionlib.
package main

import "github.com/watchbox/watchbox/tests/apps/sessionlib"

func init() { sessionlib.Register() }

func main() {}
