// Package suggest finds the name a user probably meant, for "did you mean"
// hints in error messages.
package suggest

import (
	"fmt"
	"strings"
)

// Distance is the Levenshtein edit distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate name most likely meant, or "" when none is
// close: at most max(len(name)/3, 2) edits away, case aside, or (for a
// name of three letters or more) a part of the candidate.
func Closest(name string, candidates []string) string {
	ln := strings.ToLower(name)
	best, bestD := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(ln, lc)
		if len(ln) >= 3 && strings.Contains(lc, ln) {
			d = 1 // a part of the name is as good as a typo
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(len(name)/3, 2) || bestD >= len(name) {
		return ""
	}
	return best
}

// Hint returns ` (did you mean "NAME"?)` for the candidate closest to
// name, or "" when none is close.
func Hint(name string, candidates []string) string {
	if c := Closest(name, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}
