package host

// Coverage is an app's edge-coverage map, for a fuzzer (Config.Coverage).
// Get it with App.Coverage.
type Coverage struct{ a *App }

// Coverage returns the app's coverage map.
func (a *App) Coverage() Coverage { return Coverage{a} }

// Map returns the app's coverage map, a view that its calls fill
// (meter.Coverage.Map), or nil unless Config.Coverage is set.
func (c Coverage) Map() []byte {
	if m := c.a.sys.Guest.Coverage(); m != nil {
		return m.Map()
	}
	return nil
}

// Reset zeroes the app's coverage map, if it has one.
func (c Coverage) Reset() {
	if m := c.a.sys.Guest.Coverage(); m != nil {
		m.Reset()
	}
}
