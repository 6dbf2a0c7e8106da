package scenario

import (
	"errors"
	"fmt"
	"github.com/watchbox/watchbox/host/input"
	"io/fs"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/host/push"
)

// ParseFile reads and parses the scenario file at path. On any problem it
// returns a nil Scenario and Errors, or the error of reading the file.
func ParseFile(path string, opts Options) (*Scenario, error) {
	src, err := input.Read(path, input.Scenario)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, opts)
}

// Parse parses the scenario src read from the file name; relative paths in
// it resolve against name's directory. It checks the whole file and, on any
// problem, returns a nil Scenario and Errors holding every problem found.
func Parse(name string, src []byte, opts Options) (*Scenario, error) {
	p := &parser{
		name: name,
		errs: errorList{file: name},
		dir:  filepath.Dir(name),
		opts: opts,
		seen: map[string]int{},
		apps: map[string]bool{},
		dirs: map[string]string{},
		s: &Scenario{
			File:          name,
			Dir:           filepath.Dir(name),
			Start:         DefaultStart,
			Duration:      DefaultDuration,
			Seed:          DefaultSeed,
			Profile:       DefaultProfile,
			Complications: map[string]bool{},
		},
	}
	p.parse(string(src))
	if len(p.errs.list) > 0 {
		p.errs.list.sort()
		if n := p.errs.more; n > 0 {
			p.errs.list = append(p.errs.list, &Error{File: name, Msg: fmt.Sprintf("and %d more problems, not shown; is this a scenario file? (see docs/scenario.md)", n)})
		}
		return nil, p.errs.list
	}
	sort.SliceStable(p.s.Events, func(i, j int) bool { return p.s.Events[i].At.Before(p.s.Events[j].At) })
	return p.s, nil
}

// directives lists the first words of lines outside events.
var directives = []string{"start", "duration", "profile", "set", "seed", "app", "complication", "serve", "at", "between", "expect"}

// verbs lists every event verb with its usage, in documentation order.
var verbs = []struct {
	verb  string
	usage string
}{
	{"launch", "launch APP"},
	{"open", "open APP"},
	{"wrist-up", "wrist-up [APP]"},
	{"wrist-down", "wrist-down"},
	{"background", "background APP"},
	{"suspend", "suspend APP"},
	{"purge", "purge APP"},
	{"push", "push APP FILE.apns"},
	{"phone", "phone user-info|context|message|complication APP {JSON}|@FILE, or phone reachable|paired on|off"},
	{"bluetooth-alert", "bluetooth-alert APP [PERIPHERAL]"},
	{"peripheral", "peripheral NAME SERVICE/CHARACTERISTIC VALUE|@FILE, or peripheral NAME off"},
	{"intent", "intent APP NAME [{JSON}|@FILE]"},
	{"relevant-shortcut", "relevant-shortcut APP"},
	{"trigger", "trigger APP KIND [DETAIL]"},
	{"expire", "expire APP [KIND]"},
	{"tap-notification", "tap-notification APP [ID] [action=ACTION]"},
	{"complication", "complication APP on|off"},
	{"both-buttons", "both-buttons APP"},
	{"other-workout", "other-workout APP"},
	{"motion", "motion APP paused|resumed"},
	{"lap", "lap APP"},
	{"marker", "marker APP"},
	{"segment", "segment APP"},
	{"heart-rate", "heart-rate APP FILE.csv|FILE.json"},
	{"route", "route APP FILE.gpx"},
	{"headphones", "headphones on|off"},
	{"audio-interruption", "audio-interruption APP began|ended"},
	{"crown", "crown APP"},
	{"fire-alarm", "fire-alarm APP"},
	{"suppress-session", "suppress-session APP"},
	{"bar", "bar APP on|off"},
	{"serve", "serve METHOD PATH STATUS [BODY] [delay=DURATION] [type=CONTENT-TYPE]"},
	{"set", "set KEY=VALUE"},
	{"note", "note TEXT"},
}

func verbNames() []string {
	var names []string
	for _, v := range verbs {
		names = append(names, v.verb)
	}
	return names
}

func usage(verb string) string {
	for _, v := range verbs {
		if v.verb == verb {
			return v.usage
		}
	}
	return verb
}

// methods are the HTTP methods serve accepts.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

var (
	aliasRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	nameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)
	clockRE = regexp.MustCompile(`^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$`)
	daysRE  = regexp.MustCompile(`^([0-9]+)d(.*)$`)
)

// parser holds the state of one Parse.
type parser struct {
	name, dir string
	opts      Options
	errs      errorList
	s         *Scenario

	seen    map[string]int    // header directive -> line it was first given on
	apps    map[string]bool   // declared aliases
	dirs    map[string]string // resolved bundle dir -> alias
	comps   []stmt            // top-level complication lines
	ats     []stmt            // at and between lines, in file order
	expects []stmt            // expect lines without a time
	sets    []stmt            // top-level set lines
	prof    stmt              // the profile line, if any
	limit   int               // push size limit
}

// stmt is one line, lexed.
type stmt struct {
	line int
	toks []token
}

// errorList collects the problems one Parse finds in its file, each at
// its line and column.
type errorList struct {
	file  string
	list  Errors
	lines int // problems with a line in list
	more  int // problems with a line past MaxErrors, counted only
}

// MaxErrors is how many problems with a line Parse reports; the rest are
// counted in one last problem. A file that is not a scenario (a module, a
// GPX file given by mistake) has a problem on every line: 400,000 lines
// were 400,000 messages, 60 MB of them and 460 MB of memory. Problems
// with the file as a whole are always reported. Chosen here.
const MaxErrors = 100

// add records e, or only counts it past MaxErrors.
func (l *errorList) add(e *Error) {
	if e.Line > 0 {
		if l.lines >= MaxErrors {
			l.more++
			return
		}
		l.lines++
	}
	l.list = append(l.list, e)
}

// at reports a problem with token t.
func (l *errorList) at(line int, t token, format string, args ...any) {
	l.add(&Error{File: l.file, Line: line, Column: t.col, Token: t.text, Msg: fmt.Sprintf(format, args...)})
}

// after reports something missing after token t.
func (l *errorList) after(line int, t token, format string, args ...any) {
	l.add(&Error{File: l.file, Line: line, Column: t.end + 1, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(src string) {
	routes := map[string]int{}
	for i, text := range strings.Split(src, "\n") {
		line := i + 1
		toks, lerr := lex(strings.TrimSuffix(text, "\r"))
		if lerr != nil {
			lerr.File, lerr.Line = p.name, line
			p.errs.add(lerr)
			continue
		}
		if len(toks) == 0 {
			continue
		}
		head, args := toks[0], toks[1:]
		switch head.text {
		case "start", "duration", "seed", "profile":
			if first, dup := p.seen[head.text]; dup {
				p.errs.at(line, head, "%s is given twice (first on line %d); a scenario has one", head.text, first)
				continue
			}
			p.seen[head.text] = line
			if !p.count(line, head, args, 1, 1, head.text+" "+headerUsage[head.text]) {
				continue
			}
			p.header(line, head, args[0])
		case "set":
			if !p.count(line, head, args, 1, 1, usage("set")) {
				continue
			}
			if p.setting(line, args[0]) {
				p.s.Sets = append(p.s.Sets, args[0].text)
				p.sets = append(p.sets, stmt{line, toks})
			}
		case "app":
			if p.count(line, head, args, 2, 2, "app ALIAS DIR") {
				p.app(line, args[0], args[1])
			}
		case "complication":
			p.comps = append(p.comps, stmt{line, toks})
		case "serve":
			r := p.route(line, head, args)
			if r == nil {
				continue
			}
			key := r.Method + " " + r.Path
			if first, dup := routes[key]; dup {
				p.errs.at(line, args[1], "route %s is served twice (first on line %d); change a route later with \"at TIME serve ...\"", key, first)
				continue
			}
			routes[key] = line
			p.s.Routes = append(p.s.Routes, *r)
		case "at", "between":
			p.ats = append(p.ats, stmt{line, toks})
		case "expect":
			p.expects = append(p.expects, stmt{line, toks})
		default:
			if isVerb(head.text) {
				p.errs.at(line, head, "%q is an event verb: give it a time, as in \"at 09:00 %s\"", head.text, usage(head.text))
				continue
			}
			p.errs.at(line, head, "unknown directive %q%s; a line starts with one of: %s, or \"#\" for a comment",
				head.text, suggest(head.text, append(directives, verbNames()...)), strings.Join(directives, ", "))
		}
	}
	if end := p.s.Start.Add(p.s.Duration); p.s.Duration > 0 && end.After(clock.MaxTime) {
		line := p.seen["duration"]
		if line == 0 {
			line = p.seen["start"]
		}
		p.errs.add(&Error{File: p.name, Line: line, Column: 1,
			Msg: fmt.Sprintf("the scenario would end at %s, after %s, the last time watchbox can run at (the ABI carries times as nanoseconds since 1970 in 64 bits); start earlier or run for less",
				end.Format(time.RFC3339), clock.MaxTime.Format(time.RFC3339))})
	}
	p.deviceProfile()
	for _, c := range p.comps {
		head, args := c.toks[0], c.toks[1:]
		if !p.count(c.line, head, args, 2, 2, usage("complication")) {
			continue
		}
		alias, ok := p.appRef(c.line, args[0])
		on, ok2 := p.onOff(c.line, args[1])
		if !ok || !ok2 {
			continue
		}
		if _, dup := p.s.Complications[alias]; dup {
			p.errs.at(c.line, args[0], "the complication of %s is set twice at the start; change it later with \"at TIME complication %s on|off\"", alias, alias)
			continue
		}
		p.s.Complications[alias] = on
	}
	base := p.s.Start
	var expects []*Expect
	for _, a := range p.ats {
		switch {
		case a.toks[0].text == "between":
			expects = append(expects, p.between(a, base))
		case len(a.toks) > 2 && a.toks[2].text == "expect":
			when, ok := p.bound(a.line, a.toks[1], base)
			if ok {
				base = when
			}
			e := p.expectLine(a.line, a.toks[0], a.toks[2:], when, when, precision(a.toks[1]), joinText(a.toks))
			if !ok {
				e = nil
			}
			expects = append(expects, e)
		default:
			if ev := p.event(a, &base); ev != nil {
				p.s.Events = append(p.s.Events, *ev)
			}
		}
	}
	for _, x := range p.expects {
		expects = append(expects, p.expectLine(x.line, x.toks[0], x.toks, time.Time{}, time.Time{}, 0, joinText(x.toks)))
	}
	for _, e := range expects {
		if e != nil {
			p.s.Expects = append(p.s.Expects, *e)
		}
	}
	sort.SliceStable(p.s.Expects, func(i, j int) bool { return p.s.Expects[i].Line < p.s.Expects[j].Line })
	if len(p.s.Apps) == 0 {
		p.errs.add(&Error{File: p.name, Msg: "no app line; a scenario runs at least one app: app ALIAS DIR"})
	}
}

var headerUsage = map[string]string{
	"start":    "TIME (RFC 3339, as in 2026-06-01T07:00:00Z, or a date 2026-06-01)",
	"duration": "DURATION (as in 24h, 90m or 2d)",
	"seed":     "N (a whole number)",
	"profile":  "default|FILE",
}

func isVerb(s string) bool {
	for _, v := range verbs {
		if v.verb == s {
			return true
		}
	}
	return false
}

// count checks that args holds between lo and hi tokens; hi < 0 means any
// number. It reports a problem and returns false otherwise.
func (p *parser) count(line int, head token, args []token, lo, hi int, use string) bool {
	if len(args) < lo {
		last := head
		if len(args) > 0 {
			last = args[len(args)-1]
		}
		p.errs.after(line, last, "%s is missing an argument; usage: %s", head.text, use)
		return false
	}
	if hi >= 0 && len(args) > hi {
		p.errs.at(line, args[hi], "unexpected %q; usage: %s", args[hi].text, use)
		return false
	}
	return true
}

// header reads the value of start, duration, seed or profile.
func (p *parser) header(line int, head, v token) {
	switch head.text {
	case "start":
		t, err := time.Parse(time.RFC3339, v.text)
		if err != nil {
			if t, err = time.Parse("2006-01-02", v.text); err != nil {
				p.errs.at(line, v, "bad start %q: give an RFC 3339 time such as 2026-06-01T07:00:00Z, or a date such as 2026-06-01", v.text)
				return
			}
		}
		if err := clock.CheckTime(t); err != nil {
			p.errs.at(line, v, "bad start: %v", err)
			return
		}
		p.s.Start = t
	case "duration":
		d, err := parseDuration(v.text)
		if err != nil || d <= 0 {
			p.errs.at(line, v, "bad duration %q: give a positive duration such as 24h, 90m, 1h30m or 2d", v.text)
			return
		}
		if d > MaxDuration {
			p.errs.at(line, v, "duration %q is longer than the %dd a scenario may run; give a shorter one", v.text, MaxDuration/(24*time.Hour))
			return
		}
		p.s.Duration = d
	case "seed":
		n, err := strconv.ParseInt(v.text, 10, 64)
		if err != nil {
			p.errs.at(line, v, "bad seed %q: give a whole number", v.text)
			return
		}
		p.s.Seed = n
	case "profile":
		p.s.Profile = v.text
		p.prof = stmt{line, []token{head, v}}
		if v.text != DefaultProfile {
			p.s.ProfilePath = p.resolve(v.text)
		}
	}
}

// setting checks a "key=value" profile override.
func (p *parser) setting(line int, t token) bool {
	k, v, ok := strings.Cut(t.text, "=")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if !ok || k == "" {
		p.errs.at(line, t, "bad setting %q: write KEY=VALUE with no spaces, as in task_time=10s", t.text)
		return false
	}
	if msg := checkSetting(k, v); msg != "" {
		p.errs.at(line, t, "%s", msg)
		return false
	}
	return true
}

var durationType = reflect.TypeOf(profile.Duration(0))

// checkSetting checks a profile key and the form of its value, and returns
// what is wrong or "".
func checkSetting(key, value string) string {
	t := reflect.TypeOf(profile.Profile{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != key {
			continue
		}
		switch {
		case f.Type == durationType:
			if d, err := time.ParseDuration(value); err != nil || d <= 0 {
				return fmt.Sprintf("profile key %s takes a positive duration such as 15s or 2m, got %q", key, value)
			}
		case f.Type.Kind() == reflect.Int:
			if n, err := strconv.ParseInt(value, 10, 64); err != nil || n < 0 {
				return fmt.Sprintf("profile key %s takes a whole number, 0 or more, got %q", key, value)
			}
		case f.Type.Kind() == reflect.Int64:
			if n, err := strconv.ParseInt(value, 10, 64); err != nil || n <= 0 {
				return fmt.Sprintf("profile key %s takes a positive whole number, got %q", key, value)
			}
		case f.Type.Kind() == reflect.String:
			if value == "" {
				return fmt.Sprintf("profile key %s needs a value", key)
			}
		}
		return ""
	}
	return fmt.Sprintf("unknown profile key %q%s; keys are: %s", key, suggest(key, profile.Keys()), strings.Join(profile.Keys(), ", "))
}

// deviceProfile loads the profile file and applies the top-level sets, when
// data files are read, and sets the push size limit.
func (p *parser) deviceProfile() {
	p.limit = push.DefaultLimit
	if p.opts.SkipDataFiles {
		return // push files are not read either
	}
	prof := profile.Default()
	if p.s.ProfilePath != "" {
		var err error
		prof, err = profile.Load(p.s.ProfilePath)
		if err != nil {
			v := p.prof.toks[1]
			if errors.Is(err, fs.ErrNotExist) {
				p.errs.at(p.prof.line, v, "profile file %q not found (looked for %s); give \"default\" or a profile file", v.text, p.s.ProfilePath)
			} else {
				p.errs.at(p.prof.line, v, "bad profile file %q: %v", v.text, err)
			}
			return
		}
	}
	for _, s := range p.sets {
		k, v, _ := strings.Cut(s.toks[1].text, "=")
		_ = prof.Set(strings.TrimSpace(k), strings.TrimSpace(v)) // the form was checked; validity is checked below
	}
	if err := prof.Validate(); err != nil {
		at := p.prof
		if len(p.sets) > 0 {
			at = p.sets[len(p.sets)-1]
		}
		if at.toks != nil {
			p.errs.at(at.line, at.toks[1], "the device profile is not valid after this line: %v", err)
		} else {
			p.errs.add(&Error{File: p.name, Msg: fmt.Sprintf("the device profile is not valid: %v", err)})
		}
		return
	}
	p.limit = prof.PushPayloadLimit
}

// app reads an app line.
func (p *parser) app(line int, alias, dir token) {
	if !aliasRE.MatchString(alias.text) {
		p.errs.at(line, alias, "bad app alias %q: an alias is a letter followed by letters, digits, - or _", alias.text)
		return
	}
	if p.apps[alias.text] {
		p.errs.at(line, alias, "app %q is declared twice", alias.text)
		return
	}
	p.apps[alias.text] = true
	resolved := p.resolve(dir.text)
	if other, dup := p.dirs[resolved]; dup {
		p.errs.at(line, dir, "bundle %q is already app %q; each app line names a different bundle", dir.text, other)
		return
	}
	p.dirs[resolved] = alias.text
	p.s.Apps = append(p.s.Apps, App{Alias: alias.text, Dir: resolved, Line: line})
}

// appRef resolves an app alias an event or complication line names.
func (p *parser) appRef(line int, t token) (string, bool) {
	if p.apps[t.text] {
		return t.text, true
	}
	var names []string
	for _, a := range p.s.Apps {
		names = append(names, a.Alias)
	}
	if len(names) == 0 {
		p.errs.at(line, t, "unknown app %q: declare it with \"app %s DIR\"", t.text, t.text)
		return "", false
	}
	sort.Strings(names)
	p.errs.at(line, t, "unknown app %q%s; apps are: %s", t.text, suggest(t.text, names), strings.Join(names, ", "))
	return "", false
}

func (p *parser) onOff(line int, t token) (bool, bool) {
	switch t.text {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	p.errs.at(line, t, "complication takes on or off, got %q", t.text)
	return false, false
}

// resolve returns path relative to the scenario's directory.
func (p *parser) resolve(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(p.dir, path)
}

// readData reads a data file the scenario names, unless data files are
// skipped (then it returns nil, true).
func (p *parser) readData(line int, t token, what, path string) ([]byte, bool) {
	if p.opts.SkipDataFiles {
		return nil, true
	}
	b, err := input.Read(p.resolve(path), input.Data)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			p.errs.at(line, t, "%s %q not found (looked for %s; paths are relative to the scenario file)", what, path, p.resolve(path))
		} else {
			p.errs.at(line, t, "%s %q: %s", what, path, input.Reason(err))
		}
		return nil, false
	}
	return b, true
}

// route reads the arguments of serve.
func (p *parser) route(line int, head token, args []token) *Route {
	use := usage("serve")
	if !p.count(line, head, args, 3, -1, use) {
		return nil
	}
	ok := true
	r := &Route{Line: line}
	r.Method = args[0].text
	if !contains(methods, r.Method) {
		p.errs.at(line, args[0], "unknown HTTP method %q%s; methods are: %s", r.Method, suggest(strings.ToUpper(r.Method), methods), strings.Join(methods, ", "))
		ok = false
	}
	r.Path = args[1].text
	if !strings.HasPrefix(r.Path, "/") {
		p.errs.at(line, args[1], "route path %q must start with /", r.Path)
		ok = false
	}
	st, err := strconv.Atoi(args[2].text)
	if err != nil || st < 100 || st > 599 {
		p.errs.at(line, args[2], "bad HTTP status %q: give a number from 100 to 599", args[2].text)
		ok = false
	}
	r.Status = st
	var body *token
	for i := range args[3:] {
		t := args[3+i]
		switch {
		case t.kind == word && strings.HasPrefix(t.text, "delay="):
			d, err := parseDuration(strings.TrimPrefix(t.text, "delay="))
			if err != nil || d < 0 {
				p.errs.at(line, t, "bad delay %q: give a duration such as 300ms or 2s", t.text)
				ok = false
			}
			r.Delay = d
		case t.kind == word && strings.HasPrefix(t.text, "type="):
			r.ContentType = strings.TrimPrefix(t.text, "type=")
			if !strings.Contains(r.ContentType, "/") {
				p.errs.at(line, t, "bad content type %q: give a media type such as type=application/json", t.text)
				ok = false
			}
		case body != nil:
			p.errs.at(line, t, "unexpected %q: a route has one body; usage: %s", t.text, use)
			ok = false
		default:
			body = &args[3+i]
		}
	}
	inferred := ""
	if body != nil {
		switch body.kind {
		case quoted:
			r.Body = []byte(body.text)
			inferred = "text/plain; charset=utf-8"
		case jsonv:
			r.Body = []byte(body.text)
			inferred = "application/json"
		default:
			r.File = p.resolve(body.text)
			inferred = contentType(body.text)
			b, found := p.readData(line, *body, "route body file", body.text)
			if !found {
				ok = false
			}
			r.Body = b
		}
	}
	if r.ContentType == "" {
		r.ContentType = inferred
	}
	if !ok {
		return nil
	}
	return r
}

// contentTypes maps body file extensions to content types; others are
// application/octet-stream.
var contentTypes = map[string]string{
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".xml":  "application/xml",
	".csv":  "text/csv; charset=utf-8",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
}

func contentType(file string) string {
	if t, ok := contentTypes[strings.ToLower(filepath.Ext(file))]; ok {
		return t
	}
	return "application/octet-stream"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
