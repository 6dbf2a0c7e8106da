package sensors

import "time"

// Hold returns a source that has src's values within its span and holds
// the first value before it and the last value after it, for a session
// that outlasts its data file. Hold(nil) is nil.
func Hold(src Source) Source {
	if src == nil {
		return nil
	}
	return hold{src}
}

type hold struct{ src Source }

func (h hold) At(d time.Duration) (float64, bool) {
	first, last := h.src.Span()
	d = max(first, min(d, last))
	return h.src.At(d)
}

// Span of a held source is its source's span: where the data is, not
// where At answers (which is everywhere).
func (h hold) Span() (time.Duration, time.Duration) { return h.src.Span() }
