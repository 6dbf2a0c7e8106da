package drive

import "testing"

// FuzzParseSteps parses arbitrary text as `watchbox run`'s steps (from
// --steps or stdin): ParseSteps returns steps or an error with a message,
// and never panics.
func FuzzParseSteps(f *testing.F) {
	for _, s := range []string{
		"wrist-down, background, suspend, purge, wrist-up",
		"launch weather; trigger hello snapshot # a comment\nsleep 2m",
		"motion paused, headphones on, audio-interruption began, route data/run.gpx, heart-rate data/hr.csv",
		"phone reachable off, phone paired on, trigger url-session forecast, expire, status, why, quit",
		"sleep -1s, trigger, crown 1e9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		steps, err := ParseSteps(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			if steps != nil {
				t.Errorf("steps %v beside the error %v", steps, err)
			}
		}
	})
}
