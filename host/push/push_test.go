package push

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func intp(n int) *int { return &n }

// TestParseFiles parses real-looking push files, two of them copied from
// Apple's documentation ("Generating a remote notification" and "Pushing
// background updates to your App").
func TestParseFiles(t *testing.T) {
	tests := []struct {
		file string
		want Push
	}{
		{"apple-game-invitation.apns", Push{
			Type:     TypeAlert,
			Alert:    Alert{Title: "Game Request", Subtitle: "Five Card Draw", Body: "Bob wants to play poker"},
			Category: "GAME_INVITATION",
			UserInfo: json.RawMessage(`{"gameID":"12345678"}`),
		}},
		{"apple-background.apns", Push{
			Type:             TypeBackground,
			ContentAvailable: true,
			UserInfo:         json.RawMessage(`{"acme1":"bar","acme2":42}`),
		}},
		{"simulator-weather.apns", Push{
			Type:              TypeAlert,
			Target:            "com.example.weather",
			Alert:             Alert{Title: "Rain at 3 pm", Body: "Take an umbrella."},
			Badge:             intp(1),
			Sound:             "default",
			ThreadID:          "today",
			InterruptionLevel: "time-sensitive",
			UserInfo:          json.RawMessage(`{"forecastID":"2026-06-01","hourly":[12,13,15]}`),
		}},
		{"mutable-content.apns", Push{
			Type:             TypeAlert,
			Target:           "com.example.messages",
			Alert:            Alert{Body: "Ann: Lunch?"},
			Sound:            "chime.caf",
			Category:         "MESSAGE",
			ContentAvailable: true,
			MutableContent:   true,
			UserInfo:         json.RawMessage(`{"messageID":981,"attachment-url":"https://example.com/ann.jpg"}`),
		}},
		{"complication.apns", Push{
			Type:     TypeComplication,
			Target:   "com.example.weather",
			UserInfo: json.RawMessage(`{"temperature":21,"condition":"sunny"}`),
		}},
		{"badge-only.apns", Push{
			Type:     TypeAlert,
			Badge:    intp(0),
			UserInfo: json.RawMessage(`{}`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := ParseFile(filepath.Join("testdata", tt.file), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Raw) == 0 {
				t.Error("Raw is empty")
			}
			if p.Type != TypeComplication && !json.Valid(p.APS) {
				t.Errorf("APS = %q, not JSON", p.APS)
			}
			got := *p
			got.Raw, got.APS = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
				t.Errorf("user info %s, want %s", got.UserInfo, tt.want.UserInfo)
			}
		})
	}
}

func TestParseKinds(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Type
	}{
		{"alert string", `{"aps":{"alert":"hi"}}`, TypeAlert},
		{"sound only", `{"aps":{"sound":"default"}}`, TypeAlert},
		{"alert with content-available", `{"aps":{"alert":"hi","content-available":1}}`, TypeAlert},
		{"background", `{"aps":{"content-available":1}}`, TypeBackground},
		{"explicit alert", `{"watchbox-push-type":"alert","aps":{"badge":3}}`, TypeAlert},
		{"explicit background", `{"watchbox-push-type":"background","aps":{"content-available":1}}`, TypeBackground},
		{"complication with empty aps", `{"watchbox-push-type":"complication","aps":{}}`, TypeComplication},
		{"complication without aps", `{"watchbox-push-type":"complication"}`, TypeComplication},
		{"loc-key alert", `{"aps":{"alert":{"loc-key":"GAME_PLAY_REQUEST_FORMAT","loc-args":["Jenna","Frank"]}}}`, TypeAlert},
		{"summary", `{"aps":{"alert":{"body":"x","summary-arg":"Ann","summary-arg-count":2}}}`, TypeAlert},
		{"other apple keys", `{"aps":{"alert":"x","target-content-id":"w","relevance-score":0.5,"stale-date":1700000000}}`, TypeAlert},
		{"crlf and tabs", "{\r\n\t\"aps\":\t{\"content-available\": 1}\r\n}\r\n", TypeBackground},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in), 0)
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.want {
				t.Errorf("type %q, want %q", p.Type, tt.want)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	pad := strings.Repeat("x", 4096-len(`{"aps":{"alert":"hi"},"p":""}`))
	exact := `{"aps":{"alert":"hi"},"p":"` + pad + `"}`
	if len(exact) != 4096 {
		t.Fatalf("test file is %d bytes", len(exact))
	}
	if _, err := Parse([]byte(exact), 0); err != nil {
		t.Errorf("4096 bytes with the default limit: %v", err)
	}
	if _, err := Parse([]byte(exact), 4096); err != nil {
		t.Errorf("4096 bytes with limit 4096: %v", err)
	}
	_, err := Parse([]byte(exact), 4095)
	if err == nil || err.Error() != "4096 bytes, over the 4095-byte limit" {
		t.Errorf("limit 4095: %v", err)
	}
	if _, err := Parse([]byte(exact+" "), 0); err == nil || err.Error() != "4097 bytes, over the 4096-byte limit" {
		t.Errorf("4097 bytes: %v", err)
	}
	if _, err := Parse([]byte(exact), 8192); err != nil {
		t.Errorf("limit 8192: %v", err)
	}
}

// TestErrors checks every error Parse can return: its text, key and place.
func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      string // the whole message
		key       string
		line, col int
	}{
		{"empty", "", `empty file; a push file is a JSON object with an "aps" dictionary`, "", 0, 0},
		{"blank", " \n\t", `empty file; a push file is a JSON object with an "aps" dictionary`, "", 0, 0},
		{"syntax bad character", "{\n  \"aps\": {\n    \"alert\": \"hi\",\n  }\n}",
			`JSON syntax error at line 4 column 3: invalid character '}' looking for beginning of object key string`, "", 4, 3},
		{"syntax missing colon", `{"aps" {}}`, `JSON syntax error at line 1 column 8: invalid character '{' after object key`, "", 1, 8},
		{"syntax not JSON", `aps: {}`, `JSON syntax error at line 1 column 1: invalid character 'a' looking for beginning of value`, "", 1, 1},
		{"syntax truncated", "{\"aps\":{\"alert\":\"hi\"}\n", `JSON syntax error at line 2 column 1: the file ends before the JSON object does`, "", 2, 1},
		{"syntax single quotes", `{'aps': {}}`, `JSON syntax error at line 1 column 2: invalid character '\'' looking for beginning of object key string`, "", 1, 2},
		{"not an object", `["aps"]`, `the file must hold a JSON object with an "aps" dictionary, got an array (line 1 column 1)`, "", 1, 1},
		{"top level string", `"aps"`, `the file must hold a JSON object with an "aps" dictionary, got a string (line 1 column 1)`, "", 1, 1},
		{"top level number", ` 42`, `the file must hold a JSON object with an "aps" dictionary, got a number (line 1 column 2)`, "", 1, 2},
		{"top level null", `null`, `the file must hold a JSON object with an "aps" dictionary, got null (line 1 column 1)`, "", 1, 1},
		{"top level boolean", "\ntrue", `the file must hold a JSON object with an "aps" dictionary, got a boolean (line 2 column 1)`, "", 2, 1},
		{"aps array", `{"aps":[]}`, `aps must be a dictionary (a JSON object), got an array (line 1 column 8)`, "aps", 1, 8},
		{"aps boolean", `{"aps":false}`, `aps must be a dictionary (a JSON object), got a boolean (line 1 column 8)`, "aps", 1, 8},
		{"long value shortened", `{"aps":{"badge":"` + strings.Repeat("x", 50) + `"}}`, `aps.badge must be a whole number, 0 or more (0 removes the badge), got "` + strings.Repeat("x", 36) + `... (line 1 column 17)`, "aps.badge", 1, 17},
		{"trailing data", "{\"aps\":{\"alert\":\"hi\"}}\n{}", `unexpected data after the JSON object (line 2 column 1)`, "", 2, 1},
		{"duplicate top-level key", `{"aps":{"alert":"a"},"aps":{"alert":"b"}}`, `duplicate key "aps" (its first value is at line 1 column 8) (line 1 column 28)`, "aps", 1, 28},
		{"duplicate aps key", "{\"aps\":{\"badge\":1,\n\"badge\":2}}", `duplicate key "aps.badge" (its first value is at line 1 column 17) (line 2 column 9)`, "aps.badge", 2, 9},
		{"target not a string", `{"Simulator Target Bundle":42,"aps":{"alert":"hi"}}`, `Simulator Target Bundle must be a string (a bundle id), got a number (line 1 column 28)`, TargetKey, 1, 28},
		{"target empty", `{"Simulator Target Bundle":" ","aps":{"alert":"hi"}}`, `Simulator Target Bundle is empty; give the bundle id of the app or leave the key out (line 1 column 28)`, TargetKey, 1, 28},
		{"type unknown", `{"watchbox-push-type":"voip","aps":{"alert":"hi"}}`, `watchbox-push-type must be "alert", "background" or "complication", got "voip" (line 1 column 23)`, TypeKey, 1, 23},
		{"type not a string", `{"watchbox-push-type":1,"aps":{"alert":"hi"}}`, `watchbox-push-type must be "alert", "background" or "complication", got a number (line 1 column 23)`, TypeKey, 1, 23},
		{"missing aps", "{\n  \"alert\": \"hi\"\n}", `missing aps dictionary; a push file is a JSON object with an "aps" dictionary (only a complication push, with "watchbox-push-type": "complication", may leave it out) (line 1 column 1)`, "aps", 1, 1},
		{"aps not a dictionary", `{"aps":"hi"}`, `aps must be a dictionary (a JSON object), got a string (line 1 column 8)`, "aps", 1, 8},
		{"aps custom key", "{\"aps\":{\"alert\":\"hi\",\n \"gameID\":1}}", `aps.gameID is not a key Apple defines for aps (put the app's own keys at the top level, beside aps); aps keys are: alert, attributes, attributes-type, badge, category, content-available, content-state, dismissal-date, event, filter-criteria, interruption-level, mutable-content, relevance-score, sound, stale-date, target-content-id, thread-id, timestamp (line 2 column 11)`, "aps.gameID", 2, 11},
		{"badge string", `{"aps":{"badge":"1"}}`, `aps.badge must be a whole number, 0 or more (0 removes the badge), got "1" (line 1 column 17)`, "aps.badge", 1, 17},
		{"badge fraction", `{"aps":{"badge":1.5}}`, `aps.badge must be a whole number, 0 or more (0 removes the badge), got 1.5 (line 1 column 17)`, "aps.badge", 1, 17},
		{"badge negative", `{"aps":{"badge":-1}}`, `aps.badge must be a whole number, 0 or more (0 removes the badge), got -1 (line 1 column 17)`, "aps.badge", 1, 17},
		{"category not a string", `{"aps":{"alert":"x","category":["A"]}}`, `aps.category must be a string, got an array (line 1 column 32)`, "aps.category", 1, 32},
		{"thread-id not a string", `{"aps":{"alert":"x","thread-id":7}}`, `aps.thread-id must be a string, got a number (line 1 column 33)`, "aps.thread-id", 1, 33},
		{"target-content-id not a string", `{"aps":{"alert":"x","target-content-id":null}}`, `aps.target-content-id must be a string, got null (line 1 column 41)`, "aps.target-content-id", 1, 41},
		{"content-available 0", `{"aps":{"content-available":0}}`, `aps.content-available must be 1, got 0 (leave the key out to turn it off) (line 1 column 29)`, "aps.content-available", 1, 29},
		{"content-available true", `{"aps":{"content-available":true}}`, `aps.content-available must be 1, got true (leave the key out to turn it off) (line 1 column 29)`, "aps.content-available", 1, 29},
		{"content-available string", `{"aps":{"content-available":"1"}}`, `aps.content-available must be 1, got "1" (leave the key out to turn it off) (line 1 column 29)`, "aps.content-available", 1, 29},
		{"mutable-content 2", `{"aps":{"alert":"x","mutable-content":2}}`, `aps.mutable-content must be 1, got 2 (leave the key out to turn it off) (line 1 column 39)`, "aps.mutable-content", 1, 39},
		{"interruption-level", `{"aps":{"alert":"x","interruption-level":"urgent"}}`, `aps.interruption-level must be one of passive, active, time-sensitive, critical, got "urgent" (line 1 column 42)`, "aps.interruption-level", 1, 42},
		{"relevance-score", `{"aps":{"alert":"x","relevance-score":2}}`, `aps.relevance-score must be a number from 0 to 1, got 2 (line 1 column 39)`, "aps.relevance-score", 1, 39},
		{"alert empty string", `{"aps":{"alert":""}}`, `aps.alert is an empty string; give the alert text or leave the key out (line 1 column 17)`, "aps.alert", 1, 17},
		{"alert number", `{"aps":{"alert":5}}`, `aps.alert must be a string or a dictionary with title, subtitle and body, got a number (line 1 column 17)`, "aps.alert", 1, 17},
		{"alert unknown key", `{"aps":{"alert":{"text":"x"}}}`, `aps.alert.text is not a key Apple defines for an alert; alert keys are: body, launch-image, loc-args, loc-key, subtitle, subtitle-loc-args, subtitle-loc-key, summary-arg, summary-arg-count, title, title-loc-args, title-loc-key (line 1 column 25)`, "aps.alert.text", 1, 25},
		{"alert args not array", `{"aps":{"alert":{"loc-key":"K","loc-args":"a"}}}`, `aps.alert.loc-args must be an array of strings, got a string (line 1 column 43)`, "aps.alert.loc-args", 1, 43},
		{"alert summary count", `{"aps":{"alert":{"body":"b","summary-arg-count":"2"}}}`, `aps.alert.summary-arg-count must be a whole number, got "2" (line 1 column 49)`, "aps.alert.summary-arg-count", 1, 49},
		{"alert title not a string", "{\"aps\":{\"alert\":{\n  \"title\": 12}}}", `aps.alert.title must be a string, got a number (line 2 column 12)`, "aps.alert.title", 2, 12},
		{"alert no text", `{"aps":{"alert":{"launch-image":"a.png"}}}`, `aps.alert has no title, subtitle or body (line 1 column 17)`, "aps.alert", 1, 17},
		{"alert empty dictionary", `{"aps":{"alert":{}}}`, `aps.alert has no title, subtitle or body (line 1 column 17)`, "aps.alert", 1, 17},
		{"sound empty", `{"aps":{"sound":""}}`, `aps.sound is an empty string; give a sound name such as "default" or leave the key out (line 1 column 17)`, "aps.sound", 1, 17},
		{"sound number", `{"aps":{"sound":1}}`, `aps.sound must be a sound name or a critical-alert dictionary with critical, name and volume, got a number (line 1 column 17)`, "aps.sound", 1, 17},
		{"sound critical", `{"aps":{"sound":{"critical":2,"name":"a"}}}`, `aps.sound.critical must be 0 or 1, got 2 (line 1 column 29)`, "aps.sound.critical", 1, 29},
		{"sound name", `{"aps":{"sound":{"name":""}}}`, `aps.sound.name must be a sound name such as "default", got "" (line 1 column 25)`, "aps.sound.name", 1, 25},
		{"sound volume", `{"aps":{"sound":{"name":"a","volume":1.5}}}`, `aps.sound.volume must be a number from 0 to 1, got 1.5 (line 1 column 38)`, "aps.sound.volume", 1, 38},
		{"sound unknown key", `{"aps":{"sound":{"name":"a","loud":1}}}`, `aps.sound.loud is not a key of a sound dictionary; its keys are critical, name and volume (line 1 column 36)`, "aps.sound.loud", 1, 36},
		{"sound without name", `{"aps":{"sound":{"critical":1}}}`, `aps.sound dictionary has no name (line 1 column 17)`, "aps.sound", 1, 17},
		{"mutable-content without alert", `{"aps":{"content-available":1,"mutable-content":1}}`, `aps.mutable-content needs aps.alert: a notification service extension only runs for alerts (line 1 column 8)`, "aps.mutable-content", 1, 8},
		{"explicit alert without alert", `{"watchbox-push-type":"alert","aps":{"content-available":1}}`, `watchbox-push-type is "alert" but aps has no alert, badge or sound (line 1 column 37)`, "aps", 1, 37},
		{"explicit background with alert", `{"watchbox-push-type":"background","aps":{"alert":"x","content-available":1}}`, `watchbox-push-type is "background" but aps has an alert, badge or sound; a background push carries only "content-available": 1 (line 1 column 42)`, "aps", 1, 42},
		{"explicit background without content-available", `{"watchbox-push-type":"background","aps":{}}`, `watchbox-push-type is "background" but aps has no "content-available": 1 (line 1 column 42)`, "aps.content-available", 1, 42},
		{"complication with alert", `{"watchbox-push-type":"complication","aps":{"alert":"x"}}`, `a complication push shows nothing to the user; remove aps.alert, aps.badge and aps.sound (line 1 column 44)`, "aps", 1, 44},
		{"complication with content-available", `{"watchbox-push-type":"complication","aps":{"content-available":1}}`, `a complication push is a PushKit push, not a background push; remove aps.content-available (line 1 column 44)`, "aps.content-available", 1, 44},
		{"nothing to deliver", "{\n  \"aps\": {\"category\": \"X\"}\n}", `aps has no alert, badge, sound or "content-available": 1, so there is nothing to deliver (a complication push needs "watchbox-push-type": "complication") (line 2 column 10)`, "aps", 2, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in), 0)
			if err == nil {
				t.Fatalf("no error; got %+v", p)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			if pe.Key != tt.key || pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("key %q at %d:%d, want %q at %d:%d", pe.Key, pe.Line, pe.Column, tt.key, tt.line, tt.col)
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ParseFile(filepath.Join(dir, "missing.apns"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join("testdata", "apple-game-invitation.apns")
	_, err := ParseFile(bad, 100)
	var pe *Error
	if !errors.As(err, &pe) || pe.File != bad {
		t.Fatalf("error %v does not name the file", err)
	}
	if want := bad + ": 231 bytes, over the 100-byte limit"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

func TestDefaultLimit(t *testing.T) {
	if DefaultLimit != 4096 {
		t.Errorf("DefaultLimit = %d, want the profile's 4096", DefaultLimit)
	}
}

func TestLocalizationKeys(t *testing.T) {
	p, err := Parse([]byte(`{"aps":{"alert":{"title-loc-key":"T","loc-key":"GAME_PLAY_REQUEST_FORMAT","loc-args":["Jenna","Frank"]}}}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Alert{Title: "T", Body: "GAME_PLAY_REQUEST_FORMAT"}); p.Alert != want {
		t.Errorf("alert %+v, want %+v", p.Alert, want)
	}
	p, err = Parse([]byte(`{"aps":{"alert":{"body":"Hello","loc-key":"K"}}}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Alert.Body != "Hello" {
		t.Errorf("body %q: the text must win over its localization key", p.Alert.Body)
	}
}
