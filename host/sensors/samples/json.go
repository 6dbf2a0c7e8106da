package samples

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/watchbox/watchbox/host/sensors"
	"io"
	"strconv"
)

// ParseJSON parses a JSON sample file (see the package documentation for
// the format). file names the data in errors. It reports the problems of
// samples, up to sensors.MaxErrors, as sensors.Errors with lines; a JSON
// syntax error stops it.
func ParseJSON(file string, data []byte, opt Options) (*Series, error) {
	b := &builder{opt: opt}
	b.s.File = file
	data = bytes.TrimPrefix(data, bom)
	p := &jsonParser{b: b, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	p.parse()
	return b.finish()
}

type jsonParser struct {
	b    *builder
	data []byte
	dec  *json.Decoder
}

// line returns the line of byte offset off, after skipping white space and
// a comma there (the decoder's offset is just past the previous value).
func (p *jsonParser) line(off int64) int {
	off = max(off, 0)
	for off < int64(len(p.data)) {
		c := p.data[off]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ',' && c != ':' {
			break
		}
		off++
	}
	off = min(off, int64(len(p.data)))
	return 1 + bytes.Count(p.data[:off], []byte{'\n'})
}

// fail records a decoding error with its line.
func (p *jsonParser) fail(err error) {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		p.b.errf(p.line(syn.Offset-1), "invalid JSON: %v", syn)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		p.b.errf(p.line(int64(len(p.data))), "the JSON ends early; a bracket or brace is missing")
	default:
		p.b.errf(p.line(p.dec.InputOffset()), "invalid JSON: %v", err)
	}
}

func (p *jsonParser) parse() {
	tok, err := p.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return // finish reports no samples
		}
		p.fail(err)
		return
	}
	switch tok {
	case json.Delim('['):
		if !p.samples() {
			return
		}
	case json.Delim('{'):
		if !p.object() {
			return
		}
	default:
		p.b.errf(p.line(0), "the file must hold a JSON array of samples or an object with \"samples\", not %s", describe(tok))
		return
	}
	if _, err := p.dec.Token(); err != io.EOF {
		p.b.errf(p.line(p.dec.InputOffset()), "unexpected data after the end of the JSON value")
	}
}

// object reads the members of the top-level object after its "{".
func (p *jsonParser) object() bool {
	seen := false
	for p.dec.More() {
		ln := p.line(p.dec.InputOffset())
		tok, err := p.dec.Token()
		if err != nil {
			p.fail(err)
			return false
		}
		key, _ := tok.(string)
		switch key {
		case "name", "unit", "interpolation":
			var s string
			if err := p.dec.Decode(&s); err != nil {
				p.b.errf(ln, "%q must be a string", key)
				return false
			}
			switch key {
			case "name":
				p.b.s.Name = s
			case "interpolation":
				switch s {
				case "linear":
					p.b.s.Interp = Linear
				case "step":
					p.b.s.Interp = Step
				default:
					p.b.errf(ln, "interpolation %q is unknown; use \"linear\" or \"step\"", sensors.Excerpt(s))
				}
			}
		case "samples":
			seen = true
			tok, err := p.dec.Token()
			if err != nil {
				p.fail(err)
				return false
			}
			if tok != json.Delim('[') {
				p.b.errf(ln, "\"samples\" must be an array of {\"t\": ..., \"v\": ...} objects, not %s", describe(tok))
				return false
			}
			if !p.samples() {
				return false
			}
		default:
			p.b.errf(ln, "unknown key %q; the keys are name, unit, interpolation and samples", sensors.Excerpt(key))
			var skip json.RawMessage
			if err := p.dec.Decode(&skip); err != nil {
				p.fail(err)
				return false
			}
		}
	}
	if _, err := p.dec.Token(); err != nil { // "}"
		p.fail(err)
		return false
	}
	if !seen {
		p.b.errf(1, "the object has no \"samples\" array")
	}
	return true
}

// jsonSample is one element of the samples array.
type jsonSample struct {
	T json.RawMessage `json:"t"`
	V json.RawMessage `json:"v"`
}

// samples reads the elements of a samples array after its "[", and the
// "]".
func (p *jsonParser) samples() bool {
	for p.dec.More() && !p.b.full() {
		ln := p.line(p.dec.InputOffset())
		var raw json.RawMessage
		if err := p.dec.Decode(&raw); err != nil {
			p.fail(err)
			return false
		}
		var s jsonSample
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&s); err != nil {
			p.b.errf(ln, "a sample must be an object {\"t\": TIME, \"v\": NUMBER}: %v", err)
			continue
		}
		if s.T == nil || s.V == nil {
			p.b.errf(ln, "a sample needs both \"t\" (its time) and \"v\" (its value)")
			continue
		}
		var ts string
		if s.T[0] == '"' {
			if err := json.Unmarshal(s.T, &ts); err != nil {
				p.b.errf(ln, "\"t\" is not a valid string")
				continue
			}
		} else if _, err := strconv.ParseFloat(string(s.T), 64); err == nil {
			ts = string(s.T) // seconds
		} else {
			p.b.errf(ln, "\"t\" must be seconds (12.5) or a string (\"1m30s\", \"2026-06-01T07:00:05Z\"), not %s", sensors.Excerpt(string(s.T)))
			continue
		}
		v, err := strconv.ParseFloat(string(s.V), 64)
		if err != nil || s.V[0] == '"' {
			p.b.errf(ln, "\"v\" must be a number, not %s", sensors.Excerpt(string(s.V)))
			continue
		}
		p.b.add(ln, ts, v)
	}
	if p.b.full() {
		return false
	}
	if _, err := p.dec.Token(); err != nil { // "]"
		p.fail(err)
		return false
	}
	return true
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}
