package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ManifestFile is the name of the manifest file in a bundle directory.
const ManifestFile = "watchapp.json"

// SupportedABI is the only host/guest ABI version this runtime implements; a
// manifest's abiVersion must equal it.
const SupportedABI = 1

// Manifest defaults and limits.
const (
	DefaultMemoryLimit = 64 * MiB // memoryLimit when absent
	MinMemoryLimit     = 1 * MiB  // smallest memoryLimit
	MaxMemoryLimit     = 4 * GiB  // largest memoryLimit: the wasm32 address space, 65536 pages
	DefaultDataQuota   = 16 * MiB // dataQuota when absent
	MaxDataQuota       = 1 * GiB  // largest dataQuota; the smallest is 1 byte

	maxIdentifierLen  = 155
	maxDisplayNameLen = 64 // in characters (runes)
)

// BackgroundMode is a WKBackgroundModes value.
type BackgroundMode string

// The background modes watchOS defines. The last four start extended runtime
// sessions; a manifest may declare at most one of them.
const (
	ModeWorkoutProcessing  BackgroundMode = "workout-processing"
	ModeAudio              BackgroundMode = "audio"
	ModeLocation           BackgroundMode = "location"
	ModeRemoteNotification BackgroundMode = "remote-notification"
	ModeSelfCare           BackgroundMode = "self-care"
	ModeMindfulness        BackgroundMode = "mindfulness"
	ModePhysicalTherapy    BackgroundMode = "physical-therapy"
	ModeAlarm              BackgroundMode = "alarm"
)

// BackgroundModes lists every valid WKBackgroundModes value.
var BackgroundModes = []BackgroundMode{
	ModeWorkoutProcessing, ModeAudio, ModeLocation, ModeRemoteNotification,
	ModeSelfCare, ModeMindfulness, ModePhysicalTherapy, ModeAlarm,
}

// ExtendedRuntime reports whether m is one of the extended runtime session
// modes (self-care, mindfulness, physical-therapy, alarm), of which watchOS
// allows an app at most one.
func (m BackgroundMode) ExtendedRuntime() bool {
	switch m {
	case ModeSelfCare, ModeMindfulness, ModePhysicalTherapy, ModeAlarm:
		return true
	}
	return false
}

// Manifest is a parsed, validated watchapp.json with defaults filled in.
// Marshaling it with encoding/json gives a manifest ParseManifest accepts.
type Manifest struct {
	// BundleIdentifier is the app's reverse-DNS identifier, for example
	// "dev.watchbox.hello" (key CFBundleIdentifier, required).
	BundleIdentifier string `json:"CFBundleIdentifier"`
	// DisplayName is the name shown to the user (key CFBundleDisplayName,
	// required).
	DisplayName string `json:"CFBundleDisplayName"`
	// ABIVersion is the host/guest ABI the app was written for (key
	// abiVersion, required); always SupportedABI in a valid manifest.
	ABIVersion int `json:"abiVersion"`
	// BackgroundModes are the declared background modes (key
	// WKBackgroundModes, default empty), without duplicates.
	BackgroundModes []BackgroundMode `json:"WKBackgroundModes"`
	// Complication reports whether the app has a complication (key
	// complication, default false).
	Complication bool `json:"complication"`
	// MemoryLimit caps the guest's linear memory (key memoryLimit, default
	// 64MiB): a multiple of 64KiB from 1MiB to 4GiB.
	MemoryLimit Size `json:"memoryLimit"`
	// AllowedHosts are the hosts, in lower case, that URL sessions may reach
	// (key allowedHosts, default empty: no network). See AllowsHost.
	AllowedHosts []string `json:"allowedHosts"`
	// DataQuota caps the app's persisted data (key dataQuota, default
	// 16MiB): from 1 byte to 1GiB. There is no "unlimited"; 0 is invalid.
	DataQuota Size `json:"dataQuota"`
	// Module is the slash-separated path of a prebuilt .wasm file relative
	// to the bundle directory (key module). Exactly one of Module and Source
	// is set.
	Module string `json:"module,omitempty"`
	// Source is the slash-separated path of a Go main package directory
	// relative to the bundle directory (key source), "." for the bundle
	// directory itself.
	Source string `json:"source,omitempty"`
	// Settings is the app's own configuration (key settings, default
	// none): a JSON object of at most MaxSettings bytes, stored compacted,
	// that the app reads at run time (the app_info request), like custom
	// Info.plist keys: a server URL, a refresh interval.
	Settings json.RawMessage `json:"settings,omitempty"`
	// ExtendedFrontmostTimeout opts the app in to staying frontmost
	// extended_frontmost_timeout (the profile's, 1 hour) after the wrist
	// drops instead of frontmost_timeout (2 minutes), as watchOS 8 lets
	// an app (key extendedFrontmostTimeout, default false).
	ExtendedFrontmostTimeout bool `json:"extendedFrontmostTimeout,omitempty"`
}

// ExtendedRuntimeMode returns the manifest's extended runtime session mode
// (self-care, mindfulness, physical-therapy or alarm), if it declares one.
func (m *Manifest) ExtendedRuntimeMode() (BackgroundMode, bool) {
	for _, mode := range m.BackgroundModes {
		if mode.ExtendedRuntime() {
			return mode, true
		}
	}
	return "", false
}

// HasBackgroundMode reports whether the manifest declares mode.
func (m *Manifest) HasBackgroundMode(mode BackgroundMode) bool {
	return slices.Contains(m.BackgroundModes, mode)
}

// ParseManifest parses and validates a manifest. On failure the error is a
// *ManifestError listing every problem found, with line and column but no
// file name; [Open] and [Check] add the file name.
func ParseManifest(data []byte) (*Manifest, error) {
	p := parseManifest(data)
	if len(p.problems) > 0 {
		return nil, &ManifestError{Problems: p.problems}
	}
	return p.m, nil
}

// manifestKeys are the known keys, in documentation order.
var manifestKeys = []string{
	"CFBundleIdentifier", "CFBundleDisplayName", "abiVersion", "WKBackgroundModes",
	"complication", "memoryLimit", "allowedHosts", "dataQuota", "module", "source", "settings",
	"extendedFrontmostTimeout",
}

// MaxSettings caps the size of a manifest's settings object.
const MaxSettings = 16 << 10

// exampleManifest is shown when a manifest is missing or not an object.
const exampleManifest = `{"CFBundleIdentifier": "dev.watchbox.hello", "CFBundleDisplayName": "Hello", "abiVersion": 1, "source": "."}`

// position is a line and column, counting from 1.
type position struct{ line, col int }

// manifestParser collects the problems of one manifest.
type manifestParser struct {
	data     []byte
	m        *Manifest
	problems []Problem
	more     int                 // problems past maxManifestProblems, counted only
	pos      map[string]position // where each key is, for problems about it
	newlines []int               // the offset of every '\n' in data, once needed
}

// maxManifestProblems is how many problems one manifest reports; the rest
// are counted in one last problem. A manifest of 40,000 unknown keys (it
// fits in input.Manifest's 1 MiB) printed 40,000 problems. Chosen here.
const maxManifestProblems = 100

// add records pr, or only counts it past maxManifestProblems.
func (p *manifestParser) add(pr Problem) {
	if len(p.problems) >= maxManifestProblems {
		p.more++
		return
	}
	p.problems = append(p.problems, pr)
}

func (p *manifestParser) problem(key, format string, args ...any) {
	pos := p.pos[key]
	p.add(Problem{Line: pos.line, Column: pos.col, Key: key, Message: fmt.Sprintf(format, args...)})
}

// position converts a byte offset in the data into a line and column, by
// a binary search of the line ends (counting them for each key made a
// manifest of many keys quadratic: 4.9 s of CPU for 40,000 keys).
func (p *manifestParser) position(off int) position {
	off = min(max(off, 0), len(p.data))
	if p.newlines == nil {
		p.newlines = []int{}
		for i, c := range p.data {
			if c == '\n' {
				p.newlines = append(p.newlines, i)
			}
		}
	}
	n, _ := slices.BinarySearch(p.newlines, off) // newlines before off
	start := 0                                   // of the line
	if n > 0 {
		start = p.newlines[n-1] + 1
	}
	return position{n + 1, off - start + 1}
}

// parseManifest parses data, returning the manifest (nil if data is not a
// JSON object; otherwise filled in as far as the valid keys allow), the
// problems and the position of every key.
func parseManifest(data []byte) *manifestParser {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // tolerate a UTF-8 byte order mark
	p := &manifestParser{data: data, pos: map[string]position{}}
	if len(bytes.TrimSpace(data)) == 0 {
		p.problem("", "the manifest is empty; it is a JSON object like %s", exampleManifest)
		return p
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			pos := p.position(int(syn.Offset) - 1)
			p.add(Problem{Line: pos.line, Column: pos.col, Message: "invalid JSON: " + err.Error()})
		} else {
			p.problem("", "invalid JSON: %v", err)
		}
		return p
	}
	if _, ok := v.(map[string]any); !ok {
		p.problem("", "the manifest must be a JSON object like %s, not %s", exampleManifest, jsonKind(bytes.TrimSpace(data)))
		return p
	}

	p.m = &Manifest{
		BackgroundModes: []BackgroundMode{},
		MemoryLimit:     DefaultMemoryLimit,
		AllowedHosts:    []string{},
		DataQuota:       DefaultDataQuota,
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.Token() // '{'; the syntax was checked above
	for dec.More() {
		// The key starts at the first '"' after the previous value.
		off := int(dec.InputOffset())
		off += bytes.IndexByte(data[off:], '"')
		tok, _ := dec.Token()
		key := tok.(string)
		var raw json.RawMessage
		dec.Decode(&raw)
		if first, dup := p.pos[key]; dup {
			pos := p.position(off)
			p.add(Problem{Line: pos.line, Column: pos.col, Key: key,
				Message: fmt.Sprintf("duplicate key (first set at line %d, column %d)", first.line, first.col)})
			continue
		}
		p.pos[key] = p.position(off)
		p.key(key, raw)
	}

	for _, key := range []string{"CFBundleIdentifier", "CFBundleDisplayName", "abiVersion"} {
		if _, ok := p.pos[key]; !ok {
			p.problem(key, "required key is missing")
		}
	}
	_, hasModule := p.pos["module"]
	_, hasSource := p.pos["source"]
	switch {
	case hasModule && hasSource:
		p.problem("source", `"module" and "source" are both set; keep exactly one: "module" for a prebuilt .wasm file or "source" for a Go main package`)
	case !hasModule && !hasSource:
		p.problem("module", `missing: set "module" to a prebuilt .wasm file or "source" to a Go main package directory (usually ".")`)
	}
	if p.more > 0 {
		p.problems = append(p.problems, Problem{Message: fmt.Sprintf("and %d more problems, not shown", p.more)})
	}
	return p
}

// key validates one key's value and stores it in p.m.
func (p *manifestParser) key(key string, raw json.RawMessage) {
	m := p.m
	switch key {
	case "CFBundleIdentifier":
		if s, ok := p.string(key, raw); ok {
			if msg := checkIdentifier(s); msg != "" {
				p.problem(key, "%s %s", quote(s), msg)
			} else {
				m.BundleIdentifier = s
			}
		}
	case "CFBundleDisplayName":
		if s, ok := p.string(key, raw); ok {
			if msg := checkDisplayName(s); msg != "" {
				p.problem(key, "%s %s", quote(s), msg)
			} else {
				m.DisplayName = s
			}
		}
	case "abiVersion":
		n, err := strconv.Atoi(string(raw))
		switch {
		case err != nil:
			p.problem(key, "must be an integer, not %s", describe(raw))
		case n != SupportedABI:
			p.problem(key, "%d is not supported; this runtime supports abiVersion %d", n, SupportedABI)
		default:
			m.ABIVersion = n
		}
	case "WKBackgroundModes":
		p.backgroundModes(key, raw)
	case "complication":
		if err := json.Unmarshal(raw, &m.Complication); err != nil || jsonKind(raw) != "boolean" {
			p.problem(key, "must be true or false, not %s", describe(raw))
		}
	case "extendedFrontmostTimeout":
		if err := json.Unmarshal(raw, &m.ExtendedFrontmostTimeout); err != nil || jsonKind(raw) != "boolean" {
			p.problem(key, "must be true or false, not %s", describe(raw))
		}
	case "memoryLimit":
		if s, ok := p.size(key, raw); ok {
			switch {
			case s < MinMemoryLimit || s > MaxMemoryLimit:
				p.problem(key, "%s is out of range; allowed: %s to %s", s, MinMemoryLimit, MaxMemoryLimit)
			case s%WasmPage != 0:
				p.problem(key, "%s is not a multiple of the 64KiB WebAssembly page; use %s", s, (s/WasmPage+1)*WasmPage)
			default:
				m.MemoryLimit = s
			}
		}
	case "allowedHosts":
		seen := map[string]bool{}
		for _, h := range p.strings(key, raw) {
			canon, err := checkHostPattern(h)
			switch {
			case err != nil:
				p.problem(key, "%v", err)
			case seen[canon]:
				p.problem(key, "%s is listed twice", quote(h))
			default:
				seen[canon] = true
				m.AllowedHosts = append(m.AllowedHosts, canon)
			}
		}
	case "dataQuota":
		if s, ok := p.size(key, raw); ok {
			if s < 1 || s > MaxDataQuota {
				p.problem(key, "%s is out of range; allowed: 1B to %s (there is no unlimited quota)", s, MaxDataQuota)
			} else {
				m.DataQuota = s
			}
		}
	case "module":
		if s, ok := p.string(key, raw); ok {
			if msg := checkBundlePath(s); msg != "" {
				p.problem(key, "%s %s", quote(s), msg)
			} else if path.Ext(s) != ".wasm" {
				p.problem(key, "%s must name a .wasm file", quote(s))
			} else {
				m.Module = path.Clean(s)
			}
		}
	case "source":
		if s, ok := p.string(key, raw); ok {
			if msg := checkBundlePath(s); msg != "" {
				p.problem(key, "%s %s", quote(s), msg)
			} else {
				m.Source = path.Clean(s)
			}
		}
	case "settings":
		var buf bytes.Buffer
		switch {
		case jsonKind(raw) != "object":
			p.problem(key, `must be a JSON object of the app's own settings, like {"serverURL": "https://example.com"}, not %s`, describe(raw))
		case json.Compact(&buf, raw) != nil:
			p.problem(key, "is not valid JSON")
		case buf.Len() > MaxSettings:
			p.problem(key, "is %d bytes; at most %d are allowed (keep large data in the app's container)", buf.Len(), MaxSettings)
		default:
			m.Settings = buf.Bytes()
		}
	default:
		p.problem(key, "unknown key%s", orKnownKeys(key))
	}
}

// orKnownKeys suggests the known key closest to key, or lists them all.
func orKnownKeys(key string) string {
	if s := didYouMean(key, manifestKeys); s != "" {
		return s
	}
	return "; known keys: " + strings.Join(manifestKeys, ", ")
}

func (p *manifestParser) string(key string, raw json.RawMessage) (string, bool) {
	var s string
	if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
		p.problem(key, "must be a string, not %s", describe(raw))
		return "", false
	}
	return s, true
}

// strings decodes an array of strings, reporting every element that is not
// a string and returning the others.
func (p *manifestParser) strings(key string, raw json.RawMessage) []string {
	var elems []json.RawMessage
	if jsonKind(raw) != "array" || json.Unmarshal(raw, &elems) != nil {
		p.problem(key, "must be an array of strings, not %s", describe(raw))
		return nil
	}
	var out []string
	for i, e := range elems {
		var s string
		if jsonKind(e) != "string" || json.Unmarshal(e, &s) != nil {
			p.problem(key, "element %d must be a string, not %s", i, describe(e))
			continue
		}
		out = append(out, s)
	}
	return out
}

// size decodes a size given as a string ("64MiB") or a JSON integer.
func (p *manifestParser) size(key string, raw json.RawMessage) (Size, bool) {
	var text string
	switch jsonKind(raw) {
	case "string":
		json.Unmarshal(raw, &text)
	case "number":
		text = string(raw)
	default:
		p.problem(key, "must be a size such as \"64MiB\" or a byte count, not %s", describe(raw))
		return 0, false
	}
	s, err := ParseSize(text)
	if err != nil {
		p.problem(key, "%v", err)
		return 0, false
	}
	return s, true
}

func (p *manifestParser) backgroundModes(key string, raw json.RawMessage) {
	names := make([]string, len(BackgroundModes))
	for i, m := range BackgroundModes {
		names[i] = string(m)
	}
	var extended BackgroundMode
	for _, s := range p.strings(key, raw) {
		mode := BackgroundMode(s)
		switch {
		case !slices.Contains(BackgroundModes, mode):
			p.problem(key, "%s is not a background mode%s; allowed: %s", quote(s), didYouMean(s, names), strings.Join(names, ", "))
		case p.m.HasBackgroundMode(mode):
			p.problem(key, "%s is listed twice", quote(s))
		case mode.ExtendedRuntime() && extended != "":
			p.problem(key, "%s and %s cannot both be set: watchOS allows at most one of self-care, mindfulness, physical-therapy and alarm (workout-processing may be added beside it)", quote(string(extended)), quote(s))
		default:
			if mode.ExtendedRuntime() {
				extended = mode
			}
			p.m.BackgroundModes = append(p.m.BackgroundModes, mode)
		}
	}
}

// checkIdentifier returns what is wrong with a bundle identifier, or "".
func checkIdentifier(s string) string {
	if s == "" {
		return "must not be empty; use a reverse-DNS name such as \"dev.watchbox.hello\""
	}
	for i, c := range s {
		if !isAlnum(c) && c != '-' && c != '.' {
			return fmt.Sprintf("contains %q at byte %d; use only letters A-Z and a-z, digits, '-' and '.'", c, i)
		}
	}
	if len(s) > maxIdentifierLen {
		return fmt.Sprintf("is %d characters long; the maximum is %d", len(s), maxIdentifierLen)
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return "needs at least two dot-separated components, as in \"dev.watchbox.hello\""
	}
	for _, part := range parts {
		if part == "" {
			return "has an empty component (a leading, trailing or doubled '.')"
		}
	}
	return ""
}

// checkDisplayName returns what is wrong with a display name, or "".
func checkDisplayName(s string) string {
	if strings.TrimSpace(s) == "" {
		return "must not be empty"
	}
	if n := utf8.RuneCountInString(s); n > maxDisplayNameLen {
		return fmt.Sprintf("is %d characters long; the maximum is %d", n, maxDisplayNameLen)
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return fmt.Sprintf("contains the control character %U; control characters are not allowed", c)
		}
	}
	return ""
}

// checkBundlePath returns what is wrong with a path that must stay inside
// the bundle directory, or "".
func checkBundlePath(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case strings.Contains(s, `\`):
		return "must use '/' as the separator"
	case path.IsAbs(s) || filepath.IsAbs(s) || filepath.VolumeName(s) != "":
		return "must be relative to the bundle directory"
	case !filepath.IsLocal(filepath.FromSlash(s)):
		return "must stay inside the bundle directory (no \"..\")"
	}
	return ""
}

// jsonKind names the JSON type of a raw value.
func jsonKind(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// describe names a raw value's type and, when short, its text: `string "1"`.
func describe(raw []byte) string {
	kind := jsonKind(raw)
	if kind == "null" || len(raw) > 40 {
		return kind
	}
	return kind + " " + string(raw)
}

// maxQuote is how much of a value a problem quotes: a 100 MB string in a
// manifest must not become a 100 MB error message.
const maxQuote = 64

// quote quotes s for a problem message, cut to its first maxQuote bytes
// (on a rune boundary) with its length when it is longer.
func quote(s string) string {
	if len(s) <= maxQuote {
		return strconv.Quote(s)
	}
	cut := maxQuote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
