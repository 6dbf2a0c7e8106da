package scenario

import (
	"fmt"
	suggestpkg "github.com/watchbox/watchbox/internal/suggest"
	"sort"
	"strings"
	"time"
)

// Error is one problem in a scenario file.
type Error struct {
	// File is the scenario file's name.
	File string
	// Line and Column locate the problem (1-based; columns count
	// characters). Line is 0 for a problem with the file as a whole.
	Line, Column int
	// Token is the text at fault, or "" when something is missing.
	Token string
	// Msg says what is wrong and what is allowed.
	Msg string
}

// Error implements error: "FILE:LINE:COLUMN: MSG".
func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Errors is every problem found in a scenario file, in file order.
type Errors []*Error

// Error implements error: one problem a line.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
}

// suggest returns ` (did you mean "X"?)` for the candidate closest to s:
// one s is part of, or one a few edits away. It returns "" when none is
// close.
func suggest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	best, bestD := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := suggestpkg.Distance(ls, lc)
		if len(ls) >= 3 && strings.Contains(lc, ls) {
			d = 1 // a part of the name is as good as a typo
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(len(s)/3, 2)
	if bestD < 0 || bestD > limit || bestD >= len(s) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// human formats a duration without zero units: 1h, 1h30m, 90s.
func human(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
