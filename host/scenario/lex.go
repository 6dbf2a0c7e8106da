package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokenKind says how a token was written.
type tokenKind int

const (
	word   tokenKind = iota // a run of non-space characters
	quoted                  // a Go-style "double-quoted" string
	jsonv                   // a JSON object or array, up to its closing bracket
)

// token is one token of a line.
type token struct {
	text string // a word as written, a quoted string unquoted, JSON as written
	col  int    // 1-based column, in characters
	end  int    // the column just past the token
	kind tokenKind
}

// lex splits one line into tokens. A "#" that starts a token starts a
// comment. It returns the tokens before the first bad one and an error
// naming it.
func lex(line string) ([]token, *Error) {
	var toks []token
	i := 0
	col := func(off int) int { return utf8.RuneCountInString(line[:off]) + 1 }
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) || line[i] == '#' {
			return toks, nil
		}
		switch line[i] {
		case '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(line) {
				return toks, &Error{Column: col(i), Token: line[i:], Msg: "unterminated quoted string: a closing \" is missing"}
			}
			s, err := strconv.Unquote(line[i : j+1])
			if err != nil {
				return toks, &Error{Column: col(i), Token: line[i : j+1], Msg: fmt.Sprintf("bad quoted string %s: escapes are Go's (\\\", \\\\, \\n, \\t, \\u00e9)", line[i:j+1])}
			}
			toks = append(toks, token{text: s, col: col(i), end: col(j + 1), kind: quoted})
			i = j + 1
		case '{', '[':
			rest := line[i:]
			dec := json.NewDecoder(strings.NewReader(rest))
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return toks, jsonError(rest, err, col(i))
			}
			n := int(dec.InputOffset())
			toks = append(toks, token{text: rest[:n], col: col(i), end: col(i + n), kind: jsonv})
			i += n
		default:
			j := i
			for j < len(line) && line[j] != ' ' && line[j] != '\t' {
				j++
			}
			toks = append(toks, token{text: line[i:j], col: col(i), end: col(j), kind: word})
			i = j
		}
	}
}

// jsonError describes a JSON syntax error in text, which starts at column
// col of its line.
func jsonError(text string, err error, col int) *Error {
	var raw json.RawMessage
	if uerr := json.Unmarshal([]byte(text), &raw); uerr != nil {
		err = uerr
	}
	at := 0
	msg := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		at = int(se.Offset) - 1
		if strings.Contains(msg, "unexpected end") {
			at = len(text)
			msg = "the line ends before the JSON value does (JSON must be on one line; use @FILE for longer data)"
		}
	}
	if at < 0 {
		at = 0
	}
	if at > len(text) {
		at = len(text)
	}
	c := col + utf8.RuneCount([]byte(text[:at]))
	tok := strings.TrimRight(text, " \t")
	return &Error{Column: c, Token: tok, Msg: "bad JSON: " + msg}
}

// isJSONObject reports whether raw is a JSON object.
func isJSONObject(raw []byte) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{'
}

// compactJSON returns raw without insignificant space.
func compactJSON(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return json.RawMessage(raw)
	}
	return json.RawMessage(b.Bytes())
}
