package policy

// The rules are grouped by family, one view of the Policy each, so that a
// feature reads the rules it applies at the call site
// (p.Pushes().Background(...)) and no one type carries every rule. A view
// shares the Policy's profile, ledger, pending requests and reporter: it is
// a name for a set of rules, not a copy of their state.

// Schedules applies the rules of app-scheduled work: background refreshes
// (rules 1-3) and app-scheduled snapshots (rule 4). See refresh.go.
type Schedules struct{ *Policy }

// Pushes applies the rules of remote pushes: background pushes (rule 5),
// complication pushes and complication transfers from the phone (rule 6).
// See push.go.
type Pushes struct{ *Policy }

// Bluetooth applies rule 7: the shared daily budget of Bluetooth timely
// alerts and background scans, reset when the user opens the app. See
// bluetooth.go.
type Bluetooth struct{ *Policy }

// Schedules returns p's rules of app-scheduled refreshes and snapshots.
func (p *Policy) Schedules() Schedules { return Schedules{p} }

// Pushes returns p's rules of background and complication pushes.
func (p *Policy) Pushes() Pushes { return Pushes{p} }

// Bluetooth returns p's rule of Bluetooth alerts and scans.
func (p *Policy) Bluetooth() Bluetooth { return Bluetooth{p} }
