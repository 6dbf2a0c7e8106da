package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/host/internal/system/peripheral"
	"github.com/watchbox/watchbox/host/push"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

const timeForms = "HH:MM[:SS] (on the start day), +DURATION (after the previous event line), T+DURATION (after the start) or an RFC 3339 time"

// event reads an at line. base is the time of the previous at line, which
// relative times count from; event moves it on.
func (p *parser) event(a stmt, base *time.Time) *Event {
	line, at, args := a.line, a.toks[0], a.toks[1:]
	if len(args) < 2 {
		last := at
		if len(args) == 1 {
			last = args[0]
			p.errs.after(line, last, "at needs a verb after the time: at TIME VERB ...; verbs are: %s", strings.Join(verbNames(), ", "))
		} else {
			p.errs.after(line, last, "at needs a time and a verb: at TIME VERB ...; times are %s", timeForms)
		}
		return nil
	}
	when, timeOK := p.when(line, args[0], *base)
	if timeOK {
		*base = when
		if when.Before(p.s.Start) {
			p.errs.at(line, args[0], "%s is %v before the scenario starts (%s); events run from start to start+duration",
				args[0].text, human(p.s.Start.Sub(when)), p.s.Start.Format(time.RFC3339))
			timeOK = false
		} else if when.After(p.s.End()) {
			p.errs.at(line, args[0], "%s (%s) is after the scenario ends (%s, start + %v); lengthen duration or move the event",
				args[0].text, when.Format(time.RFC3339), p.s.End().Format(time.RFC3339), human(p.s.Duration))
			timeOK = false
		}
	}
	vt, rest := args[1], args[2:]
	ev := &Event{At: when, Line: line, Column: at.col, Verb: Verb(vt.text)}
	ok := p.eventArgs(line, vt, rest, ev)
	if !ok || !timeOK {
		return nil
	}
	return ev
}

// eventArgs reads the verb's arguments into ev.
func (p *parser) eventArgs(line int, vt token, args []token, ev *Event) bool {
	use := usage(vt.text)
	// appAt reads an app alias at args[i].
	appAt := func(i int) bool {
		a, ok := p.appRef(line, args[i])
		ev.App = a
		return ok
	}
	switch Verb(vt.text) {
	case "open", VerbLaunch, VerbBackground, VerbSuspend, VerbPurge, VerbRelevantShortcut, VerbCrown, VerbFireAlarm, VerbSuppressSession:
		if vt.text == "open" {
			ev.Verb = VerbLaunch
		}
		return p.count(line, vt, args, 1, 1, use) && appAt(0)
	case VerbWristUp:
		if !p.count(line, vt, args, 0, 1, use) {
			return false
		}
		return len(args) == 0 || appAt(0)
	case VerbWristDown:
		return p.count(line, vt, args, 0, 0, use)
	case VerbPush:
		if !p.count(line, vt, args, 2, 2, use) {
			return false
		}
		ok := appAt(0)
		return p.pushFile(line, args[1], ev) && ok
	case VerbPhone:
		if len(args) > 0 && (args[0].text == "reachable" || args[0].text == "paired") {
			// phone reachable|paired on|off: the watch's link to the phone
			if !p.count(line, vt, args, 2, 2, use) {
				return false
			}
			ev.Verb, ev.Link = VerbPhoneLink, args[0].text
			switch args[1].text {
			case "on":
				ev.On = true
			case "off":
			default:
				p.errs.at(line, args[1], "phone %s takes on or off, got %q", args[0].text, args[1].text)
				return false
			}
			return true
		}
		if !p.count(line, vt, args, 3, 3, use) {
			return false
		}
		ok := true
		kind, err := abi.ParsePhoneKind(args[0].text)
		if err != nil {
			kinds := abi.PhoneKindNames()
			p.errs.at(line, args[0], "unknown phone data kind %q%s; kinds are: %s", args[0].text, suggest(args[0].text, kinds), strings.Join(kinds, ", "))
			ok = false
		}
		ev.Phone = kind
		ok = appAt(1) && ok
		return p.payload(line, args[2], ev, "phone data") && ok
	case VerbBluetoothAlert:
		if !p.count(line, vt, args, 1, 2, use) {
			return false
		}
		if len(args) == 2 {
			ev.Peripheral = args[1].text
		}
		return appAt(0)
	case VerbPeripheral:
		return p.peripheral(line, vt, args, ev)
	case VerbIntent:
		if !p.count(line, vt, args, 2, 3, use) {
			return false
		}
		ok := appAt(0)
		ok = p.ident(line, args[1], "intent name") && ok
		ev.Intent = args[1].text
		if len(args) == 3 {
			ok = p.payload(line, args[2], ev, "intent parameters") && ok
		}
		return ok
	case VerbTrigger:
		if !p.count(line, vt, args, 2, 3, use) {
			return false
		}
		ok := appAt(0)
		kind, kindOK := p.taskKind(line, args[1])
		ev.Task = kind
		if !kindOK {
			return false
		}
		if len(args) < 3 {
			return ok
		}
		d := args[2]
		switch kind {
		case abi.TaskSnapshot:
			reason, err := abi.ParseSnapshotReason(d.text)
			if err != nil {
				reasons := abi.SnapshotReasonNames()
				p.errs.at(line, d, "unknown snapshot reason %q%s; reasons are: %s", d.text, suggest(d.text, reasons), strings.Join(reasons, ", "))
				return false
			}
			ev.Reason = reason
		case abi.TaskURLSession:
			if !abi.ValidSessionID(d.text) {
				p.errs.at(line, d, "%q is not a URL session identifier: use letters, digits, '-', '_' and '.', at most %d bytes", d.text, abi.MaxSessionID)
				return false
			}
			ev.Session = d.text
		case abi.TaskBluetoothAlert:
			ev.Peripheral = d.text
		case abi.TaskIntentDidRun:
			ok = p.ident(line, d, "intent name") && ok
			ev.Intent = d.text
		default:
			p.errs.at(line, d, "unexpected %q: trigger %s takes no detail (details: snapshot REASON, url-session SESSION, bluetooth-alert PERIPHERAL, intent-did-run INTENT)", d.text, abi.TaskKindName(kind))
			return false
		}
		return ok
	case VerbExpire:
		if !p.count(line, vt, args, 1, 2, use) {
			return false
		}
		ok := appAt(0)
		if len(args) == 2 {
			kind, kindOK := p.taskKind(line, args[1])
			ev.Task = kind
			ok = ok && kindOK
		}
		return ok
	case VerbTapNotification:
		if !p.count(line, vt, args, 1, 3, use) {
			return false
		}
		ok := appAt(0)
		for _, t := range args[1:] {
			switch {
			case t.kind == word && strings.HasPrefix(t.text, "action="):
				ev.Action = strings.TrimPrefix(t.text, "action=")
				if ev.Action == "" {
					p.errs.at(line, t, "action= needs an action identifier, as in action=REPLY")
					ok = false
				}
			case ev.Notification == "" && ev.Action == "":
				ev.Notification = t.text
			default:
				p.errs.at(line, t, "unexpected %q; usage: %s", t.text, use)
				ok = false
			}
		}
		return ok
	case VerbComplication, VerbBAR:
		if !p.count(line, vt, args, 2, 2, use) {
			return false
		}
		ok := appAt(0)
		on, onOK := p.onOff(line, args[1])
		ev.On = on
		return ok && onOK
	case VerbBothButtons, VerbOtherWorkout, VerbLap, VerbMarker, VerbSegment:
		return p.count(line, vt, args, 1, 1, use) && appAt(0)
	case VerbMotion, VerbAudioInterruption:
		if !p.count(line, vt, args, 2, 2, use) {
			return false
		}
		ok := appAt(0)
		yes, no := "paused", "resumed"
		if ev.Verb == VerbAudioInterruption {
			yes, no = "began", "ended"
		}
		switch args[1].text {
		case yes:
			ev.On = true
		case no:
		default:
			p.errs.at(line, args[1], "%s takes %s or %s, got %q", vt.text, yes, no, args[1].text)
			return false
		}
		return ok
	case VerbHeadphones:
		if !p.count(line, vt, args, 1, 1, use) {
			return false
		}
		switch args[0].text {
		case "on":
			ev.On = true
		case "off":
		default:
			p.errs.at(line, args[0], "headphones takes on or off, got %q", args[0].text)
			return false
		}
		return true
	case VerbHeartRate, VerbRoute:
		if !p.count(line, vt, args, 2, 2, use) {
			return false
		}
		ok := appAt(0)
		return p.sensorFile(line, args[1], ev) && ok
	case VerbServe:
		ev.Route = p.route(line, vt, args)
		return ev.Route != nil
	case VerbSet:
		if !p.count(line, vt, args, 1, 1, use) || !p.setting(line, args[0]) {
			return false
		}
		ev.Set = args[0].text
		return true
	case VerbNote:
		if !p.count(line, vt, args, 1, -1, use) {
			return false
		}
		var words []string
		for _, t := range args {
			words = append(words, t.text)
		}
		ev.Text = strings.Join(words, " ")
		return true
	}
	if contains(directives, vt.text) && vt.text != "at" {
		p.errs.at(line, vt, "%q cannot follow a time; events are: %s", vt.text, strings.Join(verbNames(), ", "))
		return false
	}
	p.errs.at(line, vt, "unknown verb %q%s; verbs are: %s", vt.text, suggest(vt.text, append(verbNames(), "expect")), strings.Join(verbNames(), ", "))
	return false
}

// taskKind reads a background task kind.
func (p *parser) taskKind(line int, t token) (abi.TaskKind, bool) {
	kind, err := abi.ParseTaskKind(t.text)
	if err != nil {
		names := abi.TaskKindNames()
		p.errs.at(line, t, "unknown task kind %q%s; kinds are: %s", t.text, suggest(t.text, names), strings.Join(names, ", "))
		return 0, false
	}
	return kind, true
}

// ident checks an identifier such as an intent name.
func (p *parser) ident(line int, t token, what string) bool {
	if t.kind == word && nameRE.MatchString(t.text) {
		return true
	}
	p.errs.at(line, t, "bad %s %q: a name is a letter or _ followed by letters, digits, _, - or .", what, t.text)
	return false
}

// payload reads a JSON object given inline or as @FILE.
func (p *parser) payload(line int, t token, ev *Event, what string) bool {
	if !p.payloadOf(line, t, ev, what) {
		return false
	}
	if len(ev.Payload) > MaxPayload {
		p.errs.at(line, t, "%s is %d bytes, over the %d bytes that fit in one event (the ABI's %d-byte envelope); make it smaller",
			what, len(ev.Payload), MaxPayload, abi.MaxEnvelope)
		return false
	}
	return true
}

// MaxPayload is the largest phone payload or intent parameters a scenario
// may give: host.MaxPayload, what the runtime accepts in one event, so an
// oversized payload is refused before the run rather than in its middle.
const MaxPayload = abi.MaxEnvelope - abi.HeaderSize - 1024

// payloadOf reads the payload of an event; see payload.
func (p *parser) payloadOf(line int, t token, ev *Event, what string) bool {
	switch {
	case t.kind == jsonv:
		if !isJSONObject([]byte(t.text)) {
			p.errs.at(line, t, "%s must be a JSON object {...}, got an array", what)
			return false
		}
		ev.Payload = compactJSON([]byte(t.text))
		return true
	case t.kind == word && strings.HasPrefix(t.text, "@") && len(t.text) > 1:
		path := t.text[1:]
		ev.File = p.resolve(path)
		b, ok := p.readData(line, t, what+" file", path)
		if !ok || b == nil {
			return ok
		}
		var raw json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			p.errs.at(line, t, "%s file %q is not JSON: %v", what, path, err)
			return false
		}
		if !isJSONObject(raw) {
			p.errs.at(line, t, "%s file %q must hold a JSON object {...}", what, path)
			return false
		}
		ev.Payload = compactJSON(raw)
		return true
	}
	p.errs.at(line, t, "%s must be a JSON object {...} on the line or @FILE, got %q", what, t.text)
	return false
}

// pushFile reads the push file of a push event.
func (p *parser) pushFile(line int, t token, ev *Event) bool {
	ev.File = p.resolve(t.text)
	if p.opts.SkipDataFiles {
		return true
	}
	pu, err := push.ParseFile(ev.File, p.limit)
	if err != nil {
		var pe *push.Error
		switch {
		case errors.As(err, &pe):
			p.errs.at(line, t, "push file %q: %s", t.text, pe.Msg)
		case errors.Is(err, fs.ErrNotExist):
			p.errs.at(line, t, "push file %q not found (looked for %s; paths are relative to the scenario file)", t.text, ev.File)
		default:
			p.errs.at(line, t, "push file %q: %s", t.text, input.Reason(err))
		}
		return false
	}
	ev.Push = pu
	return true
}

// sensorFile reads the GPX route (route) or heart rate sample file
// (heart-rate) of ev at t.
func (p *parser) sensorFile(line int, t token, ev *Event) bool {
	ev.File = p.resolve(t.text)
	if p.opts.SkipDataFiles {
		return true
	}
	var err error
	if ev.Verb == VerbRoute {
		ev.Track, err = gpx.ReadFile(ev.File)
	} else {
		ev.Series, err = samples.ReadFile(ev.File, samples.Options{})
		if err == nil {
			err = ev.Series.CheckRange(20, 250, "heart rate")
		}
	}
	if err != nil {
		p.errs.at(line, t, "%s file %q: %s", ev.Verb, t.text, strings.ReplaceAll(err.Error(), "\n", "; "))
		return false
	}
	return true
}

// when resolves an event time; base is the previous event line's time.
func (p *parser) when(line int, t token, base time.Time) (time.Time, bool) {
	s := t.text
	switch {
	case strings.HasPrefix(s, "+"):
		d, err := parseDuration(s[1:])
		if err != nil || d < 0 {
			p.errs.at(line, t, "bad relative time %q: give +DURATION, as in +90s, +2h or +1d; times are %s", s, timeForms)
			return time.Time{}, false
		}
		return base.Add(d), true
	case strings.HasPrefix(s, "T+") || strings.HasPrefix(s, "t+"):
		d, err := parseDuration(s[2:])
		if err != nil || d < 0 {
			p.errs.at(line, t, "bad time %q: give T+DURATION, as in T+26h; times are %s", s, timeForms)
			return time.Time{}, false
		}
		return p.s.Start.Add(d), true
	}
	if m := clockRE.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		sec := 0
		if m[3] != "" {
			sec, _ = strconv.Atoi(m[3])
		}
		if h > 23 || mi > 59 || sec > 59 {
			p.errs.at(line, t, "bad clock time %q: hours run 00-23, minutes and seconds 00-59", s)
			return time.Time{}, false
		}
		st := p.s.Start
		return time.Date(st.Year(), st.Month(), st.Day(), h, mi, sec, 0, st.Location()), true
	}
	if at, err := time.Parse(time.RFC3339, s); err == nil {
		return at, true
	}
	if strings.HasPrefix(s, "-") {
		p.errs.at(line, t, "bad time %q: relative times count forward; times are %s", s, timeForms)
	} else {
		p.errs.at(line, t, "bad time %q: times are %s", s, timeForms)
	}
	return time.Time{}, false
}

// parseDuration reads a Go duration ("90s", "1h30m") that may begin with a
// number of days ("2d", "1d12h").
func parseDuration(s string) (time.Duration, error) {
	if m := daysRE.FindStringSubmatch(s); m != nil {
		days, err := strconv.Atoi(m[1])
		if err != nil || days > int(MaxDuration/(24*time.Hour)) {
			return 0, fmt.Errorf("bad number of days in %q", s)
		}
		var rest time.Duration
		if m[2] != "" {
			if strings.HasPrefix(m[2], "-") || strings.HasPrefix(m[2], "+") {
				return 0, fmt.Errorf("bad duration %q", s)
			}
			if rest, err = time.ParseDuration(m[2]); err != nil {
				return 0, err
			}
		}
		return time.Duration(days)*24*time.Hour + rest, nil
	}
	if s == "" || s[0] == '+' {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return time.ParseDuration(s)
}

// peripheral reads the arguments of peripheral: NAME
// SERVICE/CHARACTERISTIC VALUE|@FILE, or NAME off.
func (p *parser) peripheral(line int, vt token, args []token, ev *Event) bool {
	use := usage(vt.text)
	if !p.count(line, vt, args, 2, 3, use) {
		return false
	}
	ok := true
	ev.Peripheral = args[0].text
	if msg := peripheral.CheckName(ev.Peripheral); msg != "" {
		p.errs.at(line, args[0], "%s", msg)
		ok = false
	}
	if len(args) == 2 {
		switch {
		case args[1].text == "off" && args[1].kind == word:
			return ok
		case strings.Contains(args[1].text, "/"):
			p.errs.after(line, args[1], "peripheral is missing an argument; usage: %s", use)
		default:
			p.errs.at(line, args[1], "unexpected %q; usage: %s", args[1].text, use)
		}
		return false
	}
	ev.On = true
	service, char, err := peripheral.ParseCharacteristic(args[1].text)
	if err != nil {
		p.errs.at(line, args[1], "%v", err)
		ok = false
	}
	ev.Characteristic = service + "/" + char
	v := args[2]
	if v.kind == word && strings.HasPrefix(v.text, "@") && len(v.text) > 1 {
		path := v.text[1:]
		ev.File = p.resolve(path)
		b, read := p.readData(line, v, "samples file", path)
		if !read || b == nil {
			return read && ok
		}
		s, err := samples.Parse(path, b, samples.Options{Interp: samples.Step})
		if err != nil {
			p.errs.at(line, v, "samples file %q: %v", path, err)
			return false
		}
		ev.Samples = s
		return ok
	}
	if len(v.text) > peripheral.MaxValue {
		p.errs.at(line, v, "the value is %d bytes; a Bluetooth attribute holds at most %d", len(v.text), peripheral.MaxValue)
		return false
	}
	ev.Value = []byte(v.text)
	return ok
}
