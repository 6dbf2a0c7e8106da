package system

import "time"

// Span is the start or the end of something of an app's that lasts, for
// traces: a pending local notification (category "notification"), from
// its scheduling to its delivery, cancellation or replacement; a
// background session (category "session"), while it keeps the app
// running.
type Span struct {
	// App is the app's bundle identifier.
	App string
	// Cat is the category: "notification" or "session".
	Cat string
	// Name names what lasts, as in "notification standup" or "workout
	// session".
	Name string
	// ID tells it from the others of its category and app.
	ID string
	// End is true at its end, false at its start.
	End bool
	// Time is when it started or ended.
	Time time.Time
	// Why says how it ended ("delivered", "cancelled", ...); "" at a
	// start.
	Why string
}

// Begin reports the start of span cat/id of the app, named name, now.
func (a *App) Begin(cat, name, id string) {
	if f := a.Env.OnSpan; f != nil {
		f(Span{App: a.ID, Cat: cat, Name: name, ID: id, Time: a.Env.Clock.Now()})
	}
}

// End reports the end of span cat/id of the app, now, with why.
func (a *App) End(cat, name, id, why string) {
	if f := a.Env.OnSpan; f != nil {
		f(Span{App: a.ID, Cat: cat, Name: name, ID: id, End: true, Time: a.Env.Clock.Now(), Why: why})
	}
}
