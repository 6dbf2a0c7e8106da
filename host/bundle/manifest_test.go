package bundle

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// baseManifest is a valid manifest as ordered key/raw-JSON pairs.
var baseManifest = [][2]string{
	{"CFBundleIdentifier", `"dev.watchbox.hello"`},
	{"CFBundleDisplayName", `"Hello"`},
	{"abiVersion", `1`},
	{"source", `"."`},
}

// manifestJSON returns baseManifest with the given key/raw-value pairs
// replacing or adding keys; a value of "-" removes the key. One key per line,
// so key N of the result is on line N+1.
func manifestJSON(kv ...string) []byte {
	fields := append([][2]string(nil), baseManifest...)
	for i := 0; i < len(kv); i += 2 {
		k, v := kv[i], kv[i+1]
		found := false
		for j := range fields {
			if fields[j][0] == k {
				fields[j][1], found = v, true
			}
		}
		if !found {
			fields = append(fields, [2]string{k, v})
		}
	}
	var lines []string
	for _, f := range fields {
		if f[1] != "-" {
			lines = append(lines, "  "+jsonString(f[0])+": "+f[1])
		}
	}
	return []byte("{\n" + strings.Join(lines, ",\n") + "\n}\n")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	var me *ManifestError
	if !errors.As(err, &me) {
		t.Fatalf("error %v (%T) is not a *ManifestError", err, err)
	}
	return me.Problems
}

func TestParseManifestDefaults(t *testing.T) {
	m, err := ParseManifest(manifestJSON())
	if err != nil {
		t.Fatal(err)
	}
	want := &Manifest{
		BundleIdentifier: "dev.watchbox.hello",
		DisplayName:      "Hello",
		ABIVersion:       1,
		BackgroundModes:  []BackgroundMode{},
		MemoryLimit:      64 * MiB,
		AllowedHosts:     []string{},
		DataQuota:        16 * MiB,
		Source:           ".",
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
}

func TestParseManifestGoodValues(t *testing.T) {
	tests := []struct {
		key, value string
		check      func(*Manifest) any
		want       any
	}{
		{"CFBundleIdentifier", `"a.b"`, func(m *Manifest) any { return m.BundleIdentifier }, "a.b"},
		{"CFBundleIdentifier", `"com.Example-1.App2"`, func(m *Manifest) any { return m.BundleIdentifier }, "com.Example-1.App2"},
		{"CFBundleIdentifier", jsonString("a." + strings.Repeat("b", 153)), func(m *Manifest) any { return len(m.BundleIdentifier) }, 155},
		{"CFBundleDisplayName", `"Héllo Wörld ⌚"`, func(m *Manifest) any { return m.DisplayName }, "Héllo Wörld ⌚"},
		{"CFBundleDisplayName", jsonString(strings.Repeat("é", 64)), func(m *Manifest) any { return len([]rune(m.DisplayName)) }, 64},
		{"WKBackgroundModes", `["workout-processing", "audio", "location", "remote-notification", "alarm"]`,
			func(m *Manifest) any { return len(m.BackgroundModes) }, 5},
		{"WKBackgroundModes", `["workout-processing", "physical-therapy"]`,
			func(m *Manifest) any { mode, _ := m.ExtendedRuntimeMode(); return mode }, ModePhysicalTherapy},
		{"WKBackgroundModes", `[]`, func(m *Manifest) any { return len(m.BackgroundModes) }, 0},
		{"complication", `true`, func(m *Manifest) any { return m.Complication }, true},
		{"complication", `false`, func(m *Manifest) any { return m.Complication }, false},
		{"extendedFrontmostTimeout", `true`, func(m *Manifest) any { return m.ExtendedFrontmostTimeout }, true},
		{"memoryLimit", `"16MiB"`, func(m *Manifest) any { return m.MemoryLimit }, 16 * MiB},
		{"memoryLimit", `"1024KiB"`, func(m *Manifest) any { return m.MemoryLimit }, 1 * MiB},
		{"memoryLimit", `"4GiB"`, func(m *Manifest) any { return m.MemoryLimit }, 4 * GiB},
		{"memoryLimit", `2097152`, func(m *Manifest) any { return m.MemoryLimit }, 2 * MiB},
		{"memoryLimit", `"2097152"`, func(m *Manifest) any { return m.MemoryLimit }, 2 * MiB},
		{"memoryLimit", `"1114112B"`, func(m *Manifest) any { return m.MemoryLimit.Pages() }, uint32(17)},
		{"dataQuota", `"1B"`, func(m *Manifest) any { return m.DataQuota }, Byte},
		{"dataQuota", `"1GiB"`, func(m *Manifest) any { return m.DataQuota }, GiB},
		{"dataQuota", `"512KiB"`, func(m *Manifest) any { return m.DataQuota }, 512 * KiB},
		{"allowedHosts", `["api.Example.com", "example.com:8443", "*.cdn.example.net", "localhost", "10.0.0.1:80", "[::1]:8080", "[2001:db8::1]"]`,
			func(m *Manifest) any { return m.AllowedHosts },
			[]string{"api.example.com", "example.com:8443", "*.cdn.example.net", "localhost", "10.0.0.1:80", "[::1]:8080", "[2001:db8::1]"}},
		{"source", `"cmd/app/"`, func(m *Manifest) any { return m.Source }, "cmd/app"},
		{"source", `"./app"`, func(m *Manifest) any { return m.Source }, "app"},
		{"settings", `{ "serverURL": "https://example.com",  "every": 15 }`, func(m *Manifest) any { return string(m.Settings) },
			`{"serverURL":"https://example.com","every":15}`},
		{"settings", `{}`, func(m *Manifest) any { return string(m.Settings) }, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			m, err := ParseManifest(manifestJSON(tt.key, tt.value))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(m); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}

	m, err := ParseManifest(manifestJSON("source", "-", "module", `"build/app.wasm"`))
	if err != nil || m.Module != "build/app.wasm" || m.Source != "" {
		t.Errorf("module bundle: %+v, %v", m, err)
	}
}

func TestParseManifestBadValues(t *testing.T) {
	tests := []struct {
		key, value string
		want       []string // substrings of the problem message
	}{
		{"CFBundleIdentifier", `""`, []string{"must not be empty"}},
		{"CFBundleIdentifier", `"hello"`, []string{`"hello"`, "at least two"}},
		{"CFBundleIdentifier", `"dev.watchbox.hello_world"`, []string{`'_'`, "letters"}},
		{"CFBundleIdentifier", `"dev..hello"`, []string{"empty component"}},
		{"CFBundleIdentifier", `".dev.hello"`, []string{"empty component"}},
		{"CFBundleIdentifier", `"dev.hello."`, []string{"empty component"}},
		{"CFBundleIdentifier", `"dev.wätch"`, []string{`'ä'`}},
		{"CFBundleIdentifier", jsonString("a." + strings.Repeat("b", 154)), []string{"156 characters", "maximum is 155"}},
		{"CFBundleIdentifier", `42`, []string{"must be a string", "number 42"}},
		{"CFBundleDisplayName", `""`, []string{"must not be empty"}},
		{"CFBundleDisplayName", `"   "`, []string{"must not be empty"}},
		{"CFBundleDisplayName", jsonString(strings.Repeat("x", 65)), []string{"65 characters", "maximum is 64"}},
		{"CFBundleDisplayName", `"Hello\tWorld"`, []string{"U+0009", "control"}},
		{"CFBundleDisplayName", `null`, []string{"must be a string", "null"}},
		{"abiVersion", `2`, []string{"2 is not supported", "supports abiVersion 1"}},
		{"abiVersion", `0`, []string{"0 is not supported", "supports abiVersion 1"}},
		{"abiVersion", `"1"`, []string{"must be an integer", `string "1"`}},
		{"abiVersion", `1.0`, []string{"must be an integer", "number 1.0"}},
		{"WKBackgroundModes", `["workout"]`, []string{`"workout" is not a background mode`, "allowed: workout-processing, audio"}},
		{"WKBackgroundModes", `["Audio"]`, []string{`"Audio" is not a background mode`, `did you mean "audio"?`}},
		{"WKBackgroundModes", `["audio", "audio"]`, []string{`"audio" is listed twice`}},
		{"WKBackgroundModes", `["self-care", "alarm"]`, []string{`"self-care" and "alarm" cannot both be set`, "at most one"}},
		{"WKBackgroundModes", `["mindfulness", "workout-processing", "physical-therapy"]`, []string{`"mindfulness" and "physical-therapy"`}},
		{"WKBackgroundModes", `"audio"`, []string{"must be an array of strings", `string "audio"`}},
		{"WKBackgroundModes", `["audio", 3]`, []string{"element 1 must be a string", "number 3"}},
		{"complication", `"yes"`, []string{"must be true or false", `string "yes"`}},
		{"extendedFrontmostTimeout", `"1h"`, []string{"must be true or false", `string "1h"`}},
		{"settings", `["a"]`, []string{"must be a JSON object of the app's own settings", "not array"}},
		{"settings", `"url"`, []string{"must be a JSON object", `string "url"`}},
		{"settings", `{"big": "` + strings.Repeat("x", MaxSettings) + `"}`, []string{"bytes; at most 16384 are allowed"}},
		{"complication", `1`, []string{"must be true or false", "number 1"}},
		{"memoryLimit", `"64MB"`, []string{`"64MB"`, `unit "MB"`, "KiB, MiB or GiB"}},
		{"memoryLimit", `"lots"`, []string{`"lots" is not a size`}},
		{"memoryLimit", `"-1MiB"`, []string{`"-1MiB" is not a size`}},
		{"memoryLimit", `"1.5MiB"`, []string{`unit ".5MiB"`}},
		{"memoryLimit", `"512KiB"`, []string{"512KiB is out of range", "1MiB to 4GiB"}},
		{"memoryLimit", `"5GiB"`, []string{"5GiB is out of range", "1MiB to 4GiB"}},
		{"memoryLimit", `"99999999999999999999GiB"`, []string{"too large"}},
		{"memoryLimit", `"18000000000GiB"`, []string{"too large"}},
		{"memoryLimit", `"1100KiB"`, []string{"1100KiB is not a multiple of the 64KiB", "use 1152KiB"}},
		{"memoryLimit", `true`, []string{"must be a size", "boolean true"}},
		{"dataQuota", `"0"`, []string{"0B is out of range", "1B to 1GiB"}},
		{"dataQuota", `0`, []string{"0B is out of range"}},
		{"dataQuota", `"2GiB"`, []string{"2GiB is out of range", "1B to 1GiB"}},
		{"allowedHosts", `["https://example.com/api"]`, []string{`"https://example.com/api" has a scheme`, `e.g. "example.com"`}},
		{"allowedHosts", `["example.com/api"]`, []string{"has a path", `e.g. "example.com"`}},
		{"allowedHosts", `["*"]`, []string{"wildcard"}},
		{"allowedHosts", `["api.*.example.com"]`, []string{"wildcard may only be the whole first label"}},
		{"allowedHosts", `["*example.com"]`, []string{"wildcard"}},
		{"allowedHosts", `["example.com:0"]`, []string{`port "0"`, "1 to 65535"}},
		{"allowedHosts", `["example.com:99999"]`, []string{`port "99999"`}},
		{"allowedHosts", `["example.com:http"]`, []string{`port "http"`}},
		{"allowedHosts", `["::1"]`, []string{"IPv6 address in brackets"}},
		{"allowedHosts", `["[example.com]"]`, []string{"not an IPv6 address"}},
		{"allowedHosts", `["exa_mple.com"]`, []string{`contains '_'`}},
		{"allowedHosts", `["-bad.com"]`, []string{"starts or ends with '-'"}},
		{"allowedHosts", `["example.com."]`, []string{"trailing dot"}},
		{"allowedHosts", `["a..b"]`, []string{"empty label"}},
		{"allowedHosts", `[""]`, []string{"empty host name"}},
		{"allowedHosts", `["user@example.com"]`, []string{"user information"}},
		{"allowedHosts", `["Example.com", "example.COM"]`, []string{`"example.COM" is listed twice`}},
		{"allowedHosts", `"example.com"`, []string{"must be an array of strings"}},
		{"source", `""`, []string{"must not be empty"}},
		{"source", `"/abs/app"`, []string{"must be relative"}},
		{"source", `"../other"`, []string{"must stay inside the bundle directory"}},
		{"source", `"app/../../x"`, []string{"must stay inside the bundle directory"}},
		{"source", `"app\\main"`, []string{"'/' as the separator"}},
		{"source", `["."]`, []string{"must be a string", "array"}},
		{"module", `"app.wat"`, []string{`"app.wat" must name a .wasm file`}},
		{"module", `"../app.wasm"`, []string{"must stay inside the bundle directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			kv := []string{tt.key, tt.value}
			if tt.key == "module" {
				kv = append(kv, "source", "-")
			}
			m, err := ParseManifest(manifestJSON(kv...))
			if m != nil || err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			problems := problemsOf(t, err)
			if len(problems) != 1 {
				t.Fatalf("want 1 problem, got %d: %v", len(problems), err)
			}
			p := problems[0]
			if p.Key != tt.key {
				t.Errorf("problem key %q, want %q", p.Key, tt.key)
			}
			if p.Line == 0 || p.Column != 3 {
				t.Errorf("problem position %d:%d, want a line and column 3", p.Line, p.Column)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.key+": ") {
				t.Errorf("message %q does not name the key", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestParseManifestMissingAndExclusiveKeys(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		key  string
		want string
	}{
		{"no identifier", []string{"CFBundleIdentifier", "-"}, "CFBundleIdentifier", "required key is missing"},
		{"no display name", []string{"CFBundleDisplayName", "-"}, "CFBundleDisplayName", "required key is missing"},
		{"no abi", []string{"abiVersion", "-"}, "abiVersion", "required key is missing"},
		{"neither module nor source", []string{"source", "-"}, "module", `set "module" to a prebuilt .wasm file or "source"`},
		{"both module and source", []string{"module", `"a.wasm"`}, "source", `"module" and "source" are both set`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest(manifestJSON(tt.kv...))
			problems := problemsOf(t, err)
			if len(problems) != 1 || problems[0].Key != tt.key || !strings.Contains(problems[0].Message, tt.want) {
				t.Errorf("got %v, want one %s problem containing %q", err, tt.key, tt.want)
			}
		})
	}
}

func TestParseManifestUnknownKeys(t *testing.T) {
	tests := []struct {
		key, want string
	}{
		{"cfbundleidentifier", `did you mean "CFBundleIdentifier"?`},
		{"memorylimit", `did you mean "memoryLimit"?`},
		{"memoryLimt", `did you mean "memoryLimit"?`},
		{"allowedHost", `did you mean "allowedHosts"?`},
		{"WKBackgroundMode", `did you mean "WKBackgroundModes"?`},
		{"abiVersio", `did you mean "abiVersion"?`},
		{"modle", `did you mean "module"?`},
		{"CFBundleVersion", "known keys: CFBundleIdentifier, CFBundleDisplayName, abiVersion"},
		{"x", "known keys:"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := ParseManifest(manifestJSON(tt.key, `1`))
			problems := problemsOf(t, err)
			if len(problems) != 1 || problems[0].Key != tt.key {
				t.Fatalf("got %v, want one problem for key %q", err, tt.key)
			}
			if msg := problems[0].Message; !strings.HasPrefix(msg, "unknown key") || !strings.Contains(msg, tt.want) {
				t.Errorf("message %q, want unknown key ... %q", msg, tt.want)
			}
		})
	}
}

func TestParseManifestDuplicateKey(t *testing.T) {
	data := []byte("{\n  \"CFBundleIdentifier\": \"a.b\",\n  \"CFBundleDisplayName\": \"A\",\n  \"abiVersion\": 1,\n  \"source\": \".\",\n    \"abiVersion\": 1\n}")
	_, err := ParseManifest(data)
	problems := problemsOf(t, err)
	want := Problem{Line: 6, Column: 5, Key: "abiVersion", Message: "duplicate key (first set at line 4, column 3)"}
	if len(problems) != 1 || !reflect.DeepEqual(problems[0], want) {
		t.Errorf("got %#v, want %#v", problems, want)
	}
	if got := err.Error(); got != "6:5: abiVersion: duplicate key (first set at line 4, column 3)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestParseManifestCollectsAllProblems(t *testing.T) {
	data := manifestJSON(
		"CFBundleIdentifier", `"hello"`,
		"CFBundleDisplayName", "-",
		"abiVersion", `3`,
		"memorylimit", `"64MiB"`,
		"memoryLimit", `"64MB"`,
		"WKBackgroundModes", `["alarm", "self-care", "bogus"]`,
		"allowedHosts", `["http://x.com"]`,
		"dataQuota", `"0"`,
		"module", `"../x.wasm"`,
	)
	_, err := ParseManifest(data)
	problems := problemsOf(t, err)
	wantKeys := []string{"CFBundleIdentifier", "abiVersion", "memorylimit", "memoryLimit", "WKBackgroundModes",
		"WKBackgroundModes", "allowedHosts", "dataQuota", "module", "CFBundleDisplayName", "source"}
	var keys []string
	for _, p := range problems {
		keys = append(keys, p.Key)
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("problem keys %q\nwant %q\n%v", keys, wantKeys, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "11 problems:\n\t2:3: CFBundleIdentifier: ") {
		t.Errorf("Error() = %q", msg)
	}
	if n := strings.Count(msg, "\n\t"); n != 11 {
		t.Errorf("Error() lists %d problems, want 11:\n%s", n, msg)
	}
}

func TestParseManifestSyntaxErrors(t *testing.T) {
	tests := []struct {
		data       string
		line, col  int
		wantSubstr string
	}{
		{"{\n  \"abiVersion\": 1,\n}", 3, 1, "invalid character '}'"},
		{"{\n  \"abiVersion\" 1\n}", 2, 16, "after object key"},
		{"{\n  \"a\": tru\n}", 2, 11, "invalid character"},
		{"{\"a\": 1} x", 1, 10, "after top-level value"},
		{"{\n  \"a\": 1", 2, 8, "unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.data))
			problems := problemsOf(t, err)
			if len(problems) != 1 {
				t.Fatalf("want 1 problem, got %v", err)
			}
			p := problems[0]
			if p.Line != tt.line || p.Column != tt.col || !strings.Contains(p.Message, tt.wantSubstr) {
				t.Errorf("got %d:%d %q, want %d:%d ...%q", p.Line, p.Column, p.Message, tt.line, tt.col, tt.wantSubstr)
			}
		})
	}
}

func TestParseManifestNotAnObject(t *testing.T) {
	for _, data := range []string{"", "  \n", "[1, 2]", `"dev.watchbox.hello"`, "null"} {
		_, err := ParseManifest([]byte(data))
		problems := problemsOf(t, err)
		if len(problems) != 1 || !strings.Contains(problems[0].Message, `{"CFBundleIdentifier": "dev.watchbox.hello"`) {
			t.Errorf("%q: got %v, want one problem showing an example manifest", data, err)
		}
	}
}

func TestParseManifestByteOrderMark(t *testing.T) {
	if _, err := ParseManifest(append([]byte("\ufeff"), manifestJSON()...)); err != nil {
		t.Error(err)
	}
}

func TestManifestMarshalRoundTrip(t *testing.T) {
	m, err := ParseManifest(manifestJSON(
		"WKBackgroundModes", `["workout-processing", "mindfulness"]`,
		"complication", `true`,
		"memoryLimit", `1114112`,
		"allowedHosts", `["*.example.com", "[::1]:80"]`,
		"dataQuota", `"1536KiB"`,
	))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"memoryLimit":"1088KiB"`) {
		t.Errorf("memoryLimit not marshaled as a size string: %s", data)
	}
	m2, err := ParseManifest(data)
	if err != nil {
		t.Fatalf("ParseManifest(json.Marshal(m)): %v\n%s", err, data)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Errorf("round trip changed the manifest:\n%+v\n%+v", m, m2)
	}
}

func TestAllowsHost(t *testing.T) {
	m := &Manifest{AllowedHosts: []string{"api.example.com", "*.cdn.example.net", "example.org:8443", "[::1]:8080", "10.0.0.1"}}
	tests := []struct {
		hostport string
		want     bool
	}{
		{"api.example.com", true},
		{"API.Example.com:443", true},
		{"api.example.com.", true},
		{"example.com", false},
		{"x.api.example.com", false},
		{"a.cdn.example.net", true},
		{"a.b.cdn.example.net:80", true},
		{"cdn.example.net", false},
		{"evilcdn.example.net", false},
		{"example.org:8443", true},
		{"example.org:443", false},
		{"example.org", false},
		{"[::1]:8080", true},
		{"[::1]:80", false},
		{"10.0.0.1:1234", true},
		{"10.0.0.2", false},
		{"::1", false},
	}
	for _, tt := range tests {
		if got := m.AllowsHost(tt.hostport); got != tt.want {
			t.Errorf("AllowsHost(%q) = %v, want %v", tt.hostport, got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
		str  string
	}{
		{"0", 0, "0B"},
		{"100", 100, "100B"},
		{"100B", 100, "100B"},
		{"2048", 2 * KiB, "2KiB"},
		{"1536KiB", 1536 * KiB, "1536KiB"},
		{"1024MiB", GiB, "1GiB"},
		{"16GiB", 16 * GiB, "16GiB"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want || got.String() != tt.str {
			t.Errorf("ParseSize(%q) = %d (%s), %v; want %d (%s)", tt.in, got, got, err, tt.want, tt.str)
		}
	}
	for _, bad := range []string{"", "MiB", "1 MiB", "1mib", "1M", "1KB", "1TiB", " 1", "18446744073709551616", "16777216TiB"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
	var s Size
	if err := s.UnmarshalText([]byte("32MiB")); err != nil || s != 32*MiB {
		t.Errorf("UnmarshalText: %d, %v", s, err)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"memoryLimit", "module", "source"}
	tests := map[string]string{
		"MEMORYLIMIT": "memoryLimit",
		"memoryLimi":  "memoryLimit",
		"memryLimt":   "memoryLimit",
		"memLimit":    "",
		"sorce":       "source",
		"src":         "",
		"mod":         "",
	}
	for in, want := range tests {
		if got := suggest(in, cands); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestProblemsQuoteABoundedExcerpt: a huge value is quoted by its first
// bytes and its length, never whole.
func TestProblemsQuoteABoundedExcerpt(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"CFBundleIdentifier", "module", "allowedHosts"} {
		v := jsonString(strings.Repeat("é", 500000))
		if key == "allowedHosts" {
			v = "[" + v + "]"
		}
		_, err := ParseManifest(manifestJSON(key, v))
		ps := problemsOf(t, err)
		for _, p := range ps {
			if len(p.Message) > 400 {
				t.Errorf("%s: a problem of %d bytes quotes the whole value: %.200s", key, len(p.Message), p.Message)
			}
		}
		if !strings.Contains(ps[0].Message, `..." (1000000 bytes)`) && !strings.Contains(ps[0].Message, `... (1000000 bytes)`) {
			t.Errorf("%s: %.300s, want an excerpt with the length", key, ps[0].Message)
		}
	}
}
