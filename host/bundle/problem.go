package bundle

import (
	"fmt"
	suggestpkg "github.com/watchbox/watchbox/internal/suggest"
	"strings"
)

// Problem is one thing wrong with a bundle: a manifest key with a bad value, a
// missing or unknown key, a JSON syntax error, or a file the manifest names
// that is missing or unusable.
type Problem struct {
	// File is the file or directory the problem is in; empty when unknown
	// (ParseManifest does not know the file name).
	File string
	// Line and Column locate the problem in File, counting from 1 (the
	// column in bytes); 0 when the problem has no position, such as a
	// missing key.
	Line, Column int
	// Key is the manifest key concerned, or "" for problems with the file
	// as a whole.
	Key string
	// Message says what is wrong and what is allowed.
	Message string
	// Err is the underlying error, if any (for example an fs.ErrNotExist).
	Err error
}

// String formats the problem like a compiler diagnostic:
// "dir/watchapp.json:4:3: memoryLimit: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if p.File != "" {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%d:%d", p.Line, p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ManifestError is the error returned for an invalid bundle or manifest. It
// holds every problem found, not only the first.
type ManifestError struct {
	Problems []Problem
}

// Error lists every problem, one per line after a count when there are more
// than one.
func (e *ManifestError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	var b strings.Builder
	file := e.Problems[0].File
	for _, p := range e.Problems {
		if p.File != file {
			file = ""
		}
	}
	if file != "" {
		b.WriteString(file + ": ")
	}
	fmt.Fprintf(&b, "%d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

// Unwrap returns the underlying errors of the problems that have one, so that
// errors.Is(err, fs.ErrNotExist) works for a missing bundle directory or
// manifest.
func (e *ManifestError) Unwrap() []error {
	var errs []error
	for _, p := range e.Problems {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}

// suggest returns the candidate closest to s when a typo is likely: a
// case-insensitive match, or an edit distance of at most 2 (1 for short
// words). It returns "" when nothing is close.
func suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	if len(s) <= 4 {
		bestDist = 2
	}
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
		if d := suggestpkg.Distance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// didYouMean formats a suggestion for use at the end of a message.
func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}
