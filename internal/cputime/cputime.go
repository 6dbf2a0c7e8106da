// Package cputime reads the CPU time a benchmark or a measuring test has
// used: on a machine shared with other work, wall time also counts the
// time other processes held the cores, and CPU time does not. Where the
// system cannot tell, it falls back to wall time.
package cputime
