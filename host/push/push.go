// Package push reads remote push files in the format `xcrun simctl push`
// accepts (".apns" files) and classifies them the way watchOS delivers them.
//
// A push file is one JSON object of at most 4096 bytes (the profile's
// push_payload_limit) with an "aps" dictionary holding Apple's keys:
//
//	{
//	    "Simulator Target Bundle": "com.example.weather",
//	    "aps": {
//	        "alert": {"title": "Rain at 3 pm", "body": "Take an umbrella."},
//	        "badge": 1,
//	        "sound": "default",
//	        "category": "FORECAST",
//	        "thread-id": "today"
//	    },
//	    "forecastID": "2026-06-01"
//	}
//
// The optional top-level "Simulator Target Bundle" names the bundle id of
// the app the push is for, as with simctl. Every other top-level key is the
// app's own data; Push.UserInfo holds those keys as a JSON object.
//
// # Kinds of push
//
//   - An alert push has aps.alert (a string, or a dictionary with title,
//     subtitle and body), or only a badge or a sound. The user sees it.
//   - A background push has "content-available": 1 and no alert, badge or
//     sound. It runs the app in the background (about 30 s, throttled).
//   - "mutable-content": 1 marks an alert push a notification service
//     extension may rewrite; it needs an alert.
//   - A complication push is a PushKit push for an app with a complication
//     on the active face (50 a day). simctl cannot send one, so watchbox
//     defines an extension key for it (below).
//
// # The watchbox-push-type key
//
// The top-level key "watchbox-push-type" (TypeKey) is a watchbox extension
// that says which kind of push the file is, like the apns-push-type header
// of a real APNs request. Its value is "alert", "background" or
// "complication". Without it the kind is inferred: an alert, badge or sound
// makes an alert push, otherwise "content-available": 1 makes a background
// push. A complication push must say so with this key; its aps dictionary
// may then be left out (PushKit payloads need none) and must carry no
// alert, badge or sound. Apple's tools ignore the key, so a file that uses
// it still works with simctl.
//
// Errors name the problem and where it is: the key path ("aps.badge") and
// the line and column of the offending value.
package push

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/watchbox/watchbox/host/input"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/watchbox/watchbox/host/profile"
)

// Keys of a push file outside the aps dictionary that watchbox reads.
const (
	// TargetKey names the bundle id of the app the push is for (simctl).
	TargetKey = "Simulator Target Bundle"
	// TypeKey is the watchbox extension key that sets the kind of push.
	TypeKey = "watchbox-push-type"
)

// DefaultLimit is the size limit Parse applies when given none: the default
// profile's push_payload_limit (4096 bytes).
var DefaultLimit = profile.Default().PushPayloadLimit

// Type is the kind of a push.
type Type string

// Kinds of push.
const (
	// TypeAlert is a push the user sees: an alert, a badge or a sound.
	TypeAlert Type = "alert"
	// TypeBackground is a content-available push that runs the app in the
	// background.
	TypeBackground Type = "background"
	// TypeComplication is a PushKit complication push.
	TypeComplication Type = "complication"
)

// Types lists every kind of push, in the order the documentation gives them.
var Types = []Type{TypeAlert, TypeBackground, TypeComplication}

// Alert is the text of an alert push. A string aps.alert is its Body.
// watchbox does not localize: where the alert gives a localization key
// (title-loc-key, subtitle-loc-key, loc-key) and no text, the key is the
// text.
type Alert struct {
	Title    string
	Subtitle string
	Body     string
}

// IsZero reports whether the alert has no text.
func (a Alert) IsZero() bool { return a == Alert{} }

// Push is one parsed push file.
type Push struct {
	// Type is the kind of push, from TypeKey or inferred.
	Type Type
	// Target is the "Simulator Target Bundle" bundle id, or "".
	Target string
	// Alert is the alert text; zero unless aps.alert is set.
	Alert Alert
	// Badge is aps.badge, or nil when the push leaves the badge alone.
	Badge *int
	// Sound is aps.sound: a sound name, or the "name" of a critical-alert
	// sound dictionary.
	Sound string
	// Category is aps.category, the notification's actionable category.
	Category string
	// ThreadID is aps.thread-id, which groups notifications.
	ThreadID string
	// InterruptionLevel is aps.interruption-level, or "".
	InterruptionLevel string
	// ContentAvailable is aps.content-available: 1.
	ContentAvailable bool
	// MutableContent is aps.mutable-content: 1.
	MutableContent bool
	// APS is the aps dictionary as written, compacted; nil when absent
	// (complication pushes only).
	APS json.RawMessage
	// UserInfo is a JSON object of every top-level key other than aps,
	// TargetKey and TypeKey, in file order, compacted; "{}" when there
	// are none.
	UserInfo json.RawMessage
	// Raw is the file's bytes as given.
	Raw []byte
}

// Error is a problem with a push file.
type Error struct {
	// File is the file's name, set by ParseFile; "" for Parse.
	File string
	// Key is the path of the key at fault ("aps.badge"), or "" when the
	// problem is not with one key.
	Key string
	// Line and Column locate the problem (1-based, columns in bytes); 0
	// when it has no place, as with the size limit.
	Line, Column int
	// Msg says what is wrong; it does not repeat File.
	Msg string
}

// Error implements error: "FILE: MSG" or "MSG".
func (e *Error) Error() string {
	if e.File != "" {
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

// ParseFile reads and parses the push file at path. Errors are *Error with
// File set to path, or the error of reading the file.
func ParseFile(path string, limit int) (*Push, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	data, err := input.Read(path, input.Push(limit))
	var big *input.TooLargeError
	if errors.As(err, &big) {
		return nil, &Error{File: path, Msg: fmt.Sprintf("%d bytes, over the %d-byte limit", big.Size, limit)}
	}
	if err != nil {
		return nil, err
	}
	p, err := Parse(data, limit)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.File = path
		}
		return nil, err
	}
	return p, nil
}

// Parse parses and validates a push file of at most limit bytes; a limit
// of 0 or less means DefaultLimit. Errors are *Error.
func Parse(data []byte, limit int) (*Push, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if len(data) > limit {
		return nil, &Error{Msg: fmt.Sprintf("%d bytes, over the %d-byte limit", len(data), limit)}
	}
	r := &reader{data: data}
	top, err := r.object(0, "")
	if err != nil {
		return nil, err
	}
	if rest := bytes.TrimLeft(data[r.end:], " \t\r\n"); len(rest) > 0 {
		off := len(data) - len(rest)
		return nil, r.errAt(off, "", "unexpected data after the JSON object")
	}

	p := &Push{Raw: data}
	var aps *member
	var explicit Type
	var info bytes.Buffer
	info.WriteByte('{')
	for i := range top {
		m := &top[i]
		switch m.key {
		case "aps":
			aps = m
		case TargetKey:
			s, ok := m.str()
			if !ok {
				return nil, r.errAt(m.off, m.key, fmt.Sprintf("%s must be a string (a bundle id), got %s", TargetKey, m.kind()))
			}
			if strings.TrimSpace(s) == "" {
				return nil, r.errAt(m.off, m.key, TargetKey+" is empty; give the bundle id of the app or leave the key out")
			}
			p.Target = s
		case TypeKey:
			s, ok := m.str()
			if !ok || !validType(Type(s)) {
				got := m.kind()
				if ok {
					got = strconv.Quote(s)
				}
				return nil, r.errAt(m.off, m.key, fmt.Sprintf("%s must be \"alert\", \"background\" or \"complication\", got %s", TypeKey, got))
			}
			explicit = Type(s)
		default:
			if info.Len() > 1 {
				info.WriteByte(',')
			}
			k, _ := json.Marshal(m.key)
			info.Write(k)
			info.WriteByte(':')
			_ = json.Compact(&info, m.raw) // valid: the decoder read it
		}
	}
	info.WriteByte('}')
	p.UserInfo = json.RawMessage(info.Bytes())

	if aps == nil {
		if explicit != TypeComplication {
			return nil, r.errAt(r.start, "aps", "missing aps dictionary; a push file is a JSON object with an \"aps\" dictionary (only a complication push, with \"watchbox-push-type\": \"complication\", may leave it out)")
		}
	} else if err := r.aps(aps, p); err != nil {
		return nil, err
	}
	if err := classify(r, aps, p, explicit); err != nil {
		return nil, err
	}
	return p, nil
}

func validType(t Type) bool {
	for _, v := range Types {
		if t == v {
			return true
		}
	}
	return false
}

// apsKeys are the keys Apple defines for the aps dictionary. Those not
// listed in the switch of (*reader).aps are accepted and kept in APS only.
var apsKeys = map[string]bool{
	"alert": true, "badge": true, "sound": true, "thread-id": true,
	"category": true, "content-available": true, "mutable-content": true,
	"target-content-id": true, "interruption-level": true,
	"relevance-score": true, "filter-criteria": true, "stale-date": true,
	"content-state": true, "timestamp": true, "event": true,
	"dismissal-date": true, "attributes-type": true, "attributes": true,
}

// alertKeys are the keys Apple defines for an aps.alert dictionary.
var alertKeys = map[string]bool{
	"title": true, "subtitle": true, "body": true, "launch-image": true,
	"title-loc-key": true, "title-loc-args": true,
	"subtitle-loc-key": true, "subtitle-loc-args": true,
	"loc-key": true, "loc-args": true,
	"summary-arg": true, "summary-arg-count": true,
}

var interruptionLevels = []string{"passive", "active", "time-sensitive", "critical"}

func sortedKeys(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// aps reads the aps dictionary into p.
func (r *reader) aps(m *member, p *Push) error {
	if m.raw[0] != '{' {
		return r.errAt(m.off, "aps", "aps must be a dictionary (a JSON object), got "+m.kind())
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, m.raw)
	p.APS = json.RawMessage(buf.Bytes())
	members, err := r.object(m.off, "aps")
	if err != nil {
		return err
	}
	for i := range members {
		f := &members[i]
		path := "aps." + f.key
		if !apsKeys[f.key] {
			return r.errAt(f.off, path, fmt.Sprintf("%s is not a key Apple defines for aps (put the app's own keys at the top level, beside aps); aps keys are: %s", path, sortedKeys(apsKeys)))
		}
		switch f.key {
		case "alert":
			if err := r.alert(f, p); err != nil {
				return err
			}
		case "badge":
			n, ok := f.int()
			if !ok || n < 0 {
				return r.errAt(f.off, path, "aps.badge must be a whole number, 0 or more (0 removes the badge), got "+f.text())
			}
			p.Badge = &n
		case "sound":
			if err := r.sound(f, p); err != nil {
				return err
			}
		case "thread-id", "category", "target-content-id":
			s, ok := f.str()
			if !ok {
				return r.errAt(f.off, path, path+" must be a string, got "+f.kind())
			}
			switch f.key {
			case "thread-id":
				p.ThreadID = s
			case "category":
				p.Category = s
			}
		case "content-available", "mutable-content":
			if n, ok := f.int(); !ok || n != 1 {
				return r.errAt(f.off, path, fmt.Sprintf("%s must be 1, got %s (leave the key out to turn it off)", path, f.text()))
			}
			if f.key == "content-available" {
				p.ContentAvailable = true
			} else {
				p.MutableContent = true
			}
		case "interruption-level":
			s, ok := f.str()
			if !ok || !contains(interruptionLevels, s) {
				return r.errAt(f.off, path, fmt.Sprintf("aps.interruption-level must be one of %s, got %s", strings.Join(interruptionLevels, ", "), f.text()))
			}
			p.InterruptionLevel = s
		case "relevance-score":
			v, ok := f.number()
			if !ok || v < 0 || v > 1 {
				return r.errAt(f.off, path, "aps.relevance-score must be a number from 0 to 1, got "+f.text())
			}
		}
	}
	return nil
}

func (r *reader) alert(f *member, p *Push) error {
	if s, ok := f.str(); ok {
		if s == "" {
			return r.errAt(f.off, "aps.alert", "aps.alert is an empty string; give the alert text or leave the key out")
		}
		p.Alert.Body = s
		return nil
	}
	if f.raw[0] != '{' {
		return r.errAt(f.off, "aps.alert", "aps.alert must be a string or a dictionary with title, subtitle and body, got "+f.kind())
	}
	members, err := r.object(f.off, "aps.alert")
	if err != nil {
		return err
	}
	loc := map[string]string{}
	for i := range members {
		a := &members[i]
		path := "aps.alert." + a.key
		if !alertKeys[a.key] {
			return r.errAt(a.off, path, fmt.Sprintf("%s is not a key Apple defines for an alert; alert keys are: %s", path, sortedKeys(alertKeys)))
		}
		if strings.HasSuffix(a.key, "-args") {
			if a.raw[0] != '[' {
				return r.errAt(a.off, path, path+" must be an array of strings, got "+a.kind())
			}
			continue
		}
		if a.key == "summary-arg-count" {
			if _, ok := a.int(); !ok {
				return r.errAt(a.off, path, path+" must be a whole number, got "+a.text())
			}
			continue
		}
		s, ok := a.str()
		if !ok {
			return r.errAt(a.off, path, path+" must be a string, got "+a.kind())
		}
		switch a.key {
		case "title":
			p.Alert.Title = s
		case "subtitle":
			p.Alert.Subtitle = s
		case "body":
			p.Alert.Body = s
		case "title-loc-key", "subtitle-loc-key", "loc-key":
			loc[a.key] = s
		}
	}
	// watchbox does not localize: a localization key stands in for the
	// text it names.
	for _, k := range []struct {
		field *string
		key   string
	}{{&p.Alert.Title, "title-loc-key"}, {&p.Alert.Subtitle, "subtitle-loc-key"}, {&p.Alert.Body, "loc-key"}} {
		if *k.field == "" {
			*k.field = loc[k.key]
		}
	}
	if p.Alert.IsZero() {
		return r.errAt(f.off, "aps.alert", "aps.alert has no title, subtitle or body")
	}
	return nil
}

func (r *reader) sound(f *member, p *Push) error {
	if s, ok := f.str(); ok {
		if s == "" {
			return r.errAt(f.off, "aps.sound", "aps.sound is an empty string; give a sound name such as \"default\" or leave the key out")
		}
		p.Sound = s
		return nil
	}
	if f.raw[0] != '{' {
		return r.errAt(f.off, "aps.sound", "aps.sound must be a sound name or a critical-alert dictionary with critical, name and volume, got "+f.kind())
	}
	members, err := r.object(f.off, "aps.sound")
	if err != nil {
		return err
	}
	for i := range members {
		s := &members[i]
		path := "aps.sound." + s.key
		switch s.key {
		case "critical":
			if n, ok := s.int(); !ok || (n != 0 && n != 1) {
				return r.errAt(s.off, path, "aps.sound.critical must be 0 or 1, got "+s.text())
			}
		case "name":
			name, ok := s.str()
			if !ok || name == "" {
				return r.errAt(s.off, path, "aps.sound.name must be a sound name such as \"default\", got "+s.text())
			}
			p.Sound = name
		case "volume":
			if v, ok := s.number(); !ok || v < 0 || v > 1 {
				return r.errAt(s.off, path, "aps.sound.volume must be a number from 0 to 1, got "+s.text())
			}
		default:
			return r.errAt(s.off, path, path+" is not a key of a sound dictionary; its keys are critical, name and volume")
		}
	}
	if p.Sound == "" {
		return r.errAt(f.off, "aps.sound", "aps.sound dictionary has no name")
	}
	return nil
}

// classify sets p.Type and checks that the aps keys fit it.
func classify(r *reader, aps *member, p *Push, explicit Type) error {
	visible := !p.Alert.IsZero() || p.Badge != nil || p.Sound != ""
	at := r.start
	if aps != nil {
		at = aps.off
	}
	if p.MutableContent && p.Alert.IsZero() {
		return r.errAt(at, "aps.mutable-content", "aps.mutable-content needs aps.alert: a notification service extension only runs for alerts")
	}
	switch explicit {
	case TypeAlert:
		if !visible {
			return r.errAt(at, "aps", "watchbox-push-type is \"alert\" but aps has no alert, badge or sound")
		}
	case TypeBackground:
		if visible {
			return r.errAt(at, "aps", "watchbox-push-type is \"background\" but aps has an alert, badge or sound; a background push carries only \"content-available\": 1")
		}
		if !p.ContentAvailable {
			return r.errAt(at, "aps.content-available", "watchbox-push-type is \"background\" but aps has no \"content-available\": 1")
		}
	case TypeComplication:
		if visible {
			return r.errAt(at, "aps", "a complication push shows nothing to the user; remove aps.alert, aps.badge and aps.sound")
		}
		if p.ContentAvailable {
			return r.errAt(at, "aps.content-available", "a complication push is a PushKit push, not a background push; remove aps.content-available")
		}
	case "":
		switch {
		case visible:
			explicit = TypeAlert
		case p.ContentAvailable:
			explicit = TypeBackground
		default:
			return r.errAt(at, "aps", "aps has no alert, badge, sound or \"content-available\": 1, so there is nothing to deliver (a complication push needs \"watchbox-push-type\": \"complication\")")
		}
	}
	p.Type = explicit
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// reader walks the JSON of one file, keeping byte offsets for errors.
type reader struct {
	data  []byte
	start int // offset of the top-level value
	end   int // offset just past the top-level value
}

// member is one key of a JSON object and its value.
type member struct {
	key string
	raw []byte // the value as written
	off int    // offset of the value in the file
}

// object reads the JSON object at offset off of the file (off 0 with an
// empty path means the top-level value) and returns its members in order.
// Duplicate keys are errors.
func (r *reader) object(off int, path string) ([]member, error) {
	top := path == ""
	dec := json.NewDecoder(bytes.NewReader(r.data[off:]))
	tok, err := dec.Token()
	if err != nil {
		if top && err == io.EOF {
			return nil, &Error{Msg: "empty file; a push file is a JSON object with an \"aps\" dictionary"}
		}
		return nil, r.jsonErr(err)
	}
	first := off + len(r.data[off:]) - len(bytes.TrimLeft(r.data[off:], " \t\r\n"))
	if top {
		r.start = first
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		if top {
			return nil, r.errAt(first, "", "the file must hold a JSON object with an \"aps\" dictionary, got "+kindOfToken(tok))
		}
		return nil, r.errAt(first, path, path+" must be a JSON object, got "+kindOfToken(tok))
	}
	var members []member
	seen := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, r.jsonErr(err)
		}
		key, _ := tok.(string) // the decoder only returns string keys here
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, r.jsonErr(err)
		}
		end := off + int(dec.InputOffset())
		m := member{key: key, raw: raw, off: end - len(raw)}
		full := key
		if !top {
			full = path + "." + key
		}
		if prev, dup := seen[key]; dup {
			l, c := r.lineCol(prev)
			return nil, r.errAt(m.off, full, fmt.Sprintf("duplicate key %q (its first value is at line %d column %d)", full, l, c))
		}
		seen[key] = m.off
		members = append(members, m)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, r.jsonErr(err)
	}
	if top {
		r.end = off + int(dec.InputOffset())
	}
	return members, nil
}

// jsonErr turns an error of the decoder into an *Error with a line and
// column. The decoder's own offsets are relative to where it last stopped,
// so the whole file is checked again to find the place.
func (r *reader) jsonErr(err error) error {
	var raw json.RawMessage
	if uerr := json.Unmarshal(r.data, &raw); uerr != nil {
		err = uerr
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		l, c := r.lineCol(len(r.data))
		return &Error{Line: l, Column: c, Msg: fmt.Sprintf("JSON syntax error at line %d column %d: %v", l, c, err)}
	}
	at := int(se.Offset) - 1 // the offset is just past the byte at fault
	msg := se.Error()
	if se.Offset >= int64(len(r.data)) && strings.Contains(msg, "unexpected end") {
		at = len(r.data)
		msg = "the file ends before the JSON object does"
	}
	if at < 0 {
		at = 0
	}
	l, c := r.lineCol(at)
	return &Error{Line: l, Column: c, Msg: fmt.Sprintf("JSON syntax error at line %d column %d: %s", l, c, msg)}
}

// errAt returns an error about key at byte offset off.
func (r *reader) errAt(off int, key, msg string) error {
	l, c := r.lineCol(off)
	return &Error{Key: key, Line: l, Column: c, Msg: fmt.Sprintf("%s (line %d column %d)", msg, l, c)}
}

// lineCol converts a byte offset to a 1-based line and column.
func (r *reader) lineCol(off int) (line, col int) { return input.LineCol(r.data, off) }

func (m *member) str() (string, bool) {
	if m.raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(m.raw, &s) != nil {
		return "", false
	}
	return s, true
}

func (m *member) int() (int, bool) {
	n, err := strconv.Atoi(string(m.raw))
	return n, err == nil
}

func (m *member) number() (float64, bool) {
	c := m.raw[0]
	if c != '-' && (c < '0' || c > '9') {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(m.raw), 64)
	return v, err == nil
}

// kind names the JSON type of the value.
func (m *member) kind() string { return kindOf(m.raw[0]) }

// text shows the value for an error message, shortened.
func (m *member) text() string {
	var buf bytes.Buffer
	_ = json.Compact(&buf, m.raw)
	s := buf.String()
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "a dictionary"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

func kindOfToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "a dictionary"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	default:
		return "a number"
	}
}
