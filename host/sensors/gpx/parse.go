package gpx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"encoding/xml"

	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/host/sensors"
)

// ReadFile reads the GPX file at path with input.Read (a regular file of
// at most input.Data's cap) and parses it with Parse.
func ReadFile(path string) (*Track, error) {
	b, err := input.Read(path, input.Data)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &sensors.Error{File: path, Msg: "GPX file not found"}
		}
		return nil, &sensors.Error{File: path, Msg: input.Reason(err)}
	}
	return Parse(path, b)
}

// Parse reads a GPX 1.0 or 1.1 document and returns its timed points as a
// Track: the track points if it has any, else the route points, else the
// waypoints (see the package documentation). file names the data in
// errors. Problems come back as sensors.Errors, each with its line; Parse
// never panics.
func Parse(file string, data []byte) (*Track, error) {
	p := &parser{file: file}
	p.dec = xml.NewDecoder(bytes.NewReader(data))
	p.dec.CharsetReader = charsetReader
	p.read()
	if p.broken || p.full() {
		return nil, p.errs
	}
	kind, pts := "trkpt", p.trk
	if len(pts) == 0 {
		kind, pts = "rtept", p.rte
	}
	if len(pts) == 0 {
		kind, pts = "wpt", p.wpt
	}
	if len(pts) == 0 && len(p.errs) == 0 {
		p.errf(0, "the file has no points: a route to replay needs <trkpt> elements in <trk><trkseg>, <rtept> elements in <rte>, or <wpt> elements, each with a <time>")
		return nil, p.errs
	}
	for i, pt := range pts {
		if pt.badTime {
			continue
		}
		if pt.Time.IsZero() {
			p.errf(pt.Line, "<%s> #%d has no <time>; every point of the route needs one, such as <time>2026-06-01T07:00:00Z</time>, so that it can be replayed", kind, i+1)
			continue
		}
		if i > 0 && !pts[i-1].Time.IsZero() && pt.Time.Before(pts[i-1].Time) {
			p.errf(pt.Line, "<%s> #%d's time %s is before the previous point's %s (line %d); points must be in time order", kind, i+1,
				pt.Time.Format(time.RFC3339Nano), pts[i-1].Time.Format(time.RFC3339Nano), pts[i-1].Line)
		}
		if p.full() {
			break
		}
	}
	if len(p.errs) > 0 {
		// Problems of points came first, those of times after: file order.
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, p.errs
	}
	return newTrack(file, p.name, kind, pts), nil
}

type parser struct {
	file          string
	dec           *xml.Decoder
	errs          sensors.Errors
	trk, rte, wpt []Point
	name          string
	root          bool // the <gpx> root was seen
	broken        bool // a decoding error ended reading
}

func (p *parser) full() bool { return len(p.errs) >= sensors.MaxErrors }

func (p *parser) errf(line int, format string, args ...any) {
	if p.full() {
		return
	}
	p.errs = append(p.errs, &sensors.Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// line returns the decoder's current line.
func (p *parser) line() int {
	l, _ := p.dec.InputPos()
	return l
}

// fail records an XML decoding error.
func (p *parser) fail(err error) {
	p.broken = true
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		p.errf(syn.Line, "invalid XML: %s", syn.Msg)
		return
	}
	if errors.Is(err, io.EOF) {
		p.errf(p.line(), "the XML ends early; an element is not closed")
		return
	}
	p.errf(p.line(), "invalid XML: %v", err)
}

// read walks the document, collecting points and the name.
func (p *parser) read() {
	var stack []string // local names of the open elements
	for !p.full() && !p.broken {
		tok, err := p.dec.Token()
		if err == io.EOF {
			if len(stack) == 0 && !p.sawRoot() {
				p.errf(0, "the file is empty or holds no XML element; a GPX file starts with <gpx version=\"1.1\" ...>")
			}
			return
		}
		if err != nil {
			p.fail(err)
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			if len(stack) == 0 {
				if name != "gpx" {
					p.errf(p.line(), "the root element is <%s>, not <gpx>; this is not a GPX file", sensors.Excerpt(name))
					return
				}
				p.root = true
			}
			switch {
			case name == "wpt" && parent == "gpx":
				p.wpt = append(p.wpt, p.point(t))
				continue
			case name == "rtept" && parent == "rte":
				p.rte = append(p.rte, p.point(t))
				continue
			case name == "trkpt" && parent == "trkseg":
				p.trk = append(p.trk, p.point(t))
				continue
			case name == "name" && (parent == "trk" || parent == "metadata" || parent == "rte") && p.name == "":
				s, _ := p.text()
				p.name = strings.TrimSpace(s)
				continue
			}
			stack = append(stack, name)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}

func (p *parser) sawRoot() bool { return p.root }

// text returns the character data of the element just started, up to its
// end, and skips any child elements.
func (p *parser) text() (string, bool) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := p.dec.Token()
		if err != nil {
			p.fail(err)
			return "", false
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 && b.Len() < 1<<10 {
				b.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return b.String(), true
			}
			depth--
		}
	}
}

// point reads one <wpt>, <rtept> or <trkpt> whose start tag is start.
func (p *parser) point(start xml.StartElement) Point {
	pt := Point{Line: p.line()}
	kind := start.Name.Local
	var lat, lon string
	var haveLat, haveLon bool
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "lat":
			lat, haveLat = a.Value, true
		case "lon":
			lon, haveLon = a.Value, true
		}
	}
	pt.Lat = p.coord(pt.Line, kind, "lat", lat, haveLat, 90)
	pt.Lon = p.coord(pt.Line, kind, "lon", lon, haveLon, 180)
	// Children: <ele>, <time>, and <hr> anywhere under <extensions>.
	depth, inExt := 0, 0
	for !p.broken {
		tok, err := p.dec.Token()
		if err != nil {
			p.fail(err)
			return pt
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			switch {
			case depth == 0 && name == "ele":
				ln := p.line()
				if s, ok := p.text(); ok {
					pt.Ele, pt.HasEle = p.number(ln, "<ele>", s, -1e5, 1e5, "metres")
				}
				continue
			case depth == 0 && name == "time":
				ln := p.line()
				if s, ok := p.text(); ok {
					pt.Time = p.time(ln, s)
					pt.badTime = pt.Time.IsZero() // reported by p.time
				}
				continue
			case inExt > 0 && name == "hr":
				ln := p.line()
				if s, ok := p.text(); ok {
					pt.HR, pt.HasHR = p.number(ln, "heart rate <"+t.Name.Local+">", s, 0, 300, "beats per minute")
				}
				continue
			case depth == 0 && name == "extensions":
				inExt = 1
			case inExt > 0:
				inExt++
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				return pt
			}
			depth--
			if inExt > 0 {
				inExt--
			}
		}
	}
	return pt
}

// coord parses a lat or lon attribute, which must lie in ±limit.
func (p *parser) coord(line int, kind, attr, s string, have bool, limit float64) float64 {
	if !have {
		p.errf(line, "<%s> has no %s attribute; write it as <%s lat=\"46.5191\" lon=\"6.6323\">", kind, attr, kind)
		return 0
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.errf(line, "<%s> %s=%q is not a number of degrees such as 46.5191", kind, attr, sensors.Excerpt(s))
		return 0
	}
	if v < -limit || v > limit {
		p.errf(line, "<%s> %s=%q is outside -%v..%v degrees; check that lat and lon are not swapped", kind, attr, sensors.Excerpt(s), limit, limit)
		return 0
	}
	return v
}

// number parses a decimal number that must lie in lo..hi.
func (p *parser) number(line int, what, s string, lo, hi float64, unit string) (float64, bool) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.errf(line, "%s %q is not a number of %s", what, sensors.Excerpt(s), unit)
		return 0, false
	}
	if v < lo || v > hi {
		p.errf(line, "%s %s is outside %v..%v %s", what, s, lo, hi, unit)
		return 0, false
	}
	return v, true
}

// time parses a <time>: RFC 3339 (xsd:dateTime with a zone), or the same
// without a zone, taken as UTC.
func (p *parser) time(line int, s string) time.Time {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	if err == nil {
		if t = t.UTC(); t.IsZero() {
			p.errf(line, "<time> %q is the zero time; give the real date and time of the point", sensors.Excerpt(s))
		}
		return t
	}
	p.errf(line, "<time> %q is not a UTC time such as 2026-06-01T07:00:00Z (ISO 8601: date, \"T\", time, zone)", sensors.Excerpt(s))
	return time.Time{}
}

// charsetReader lets the decoder read files that declare ISO-8859-1 (or
// US-ASCII) instead of UTF-8; other encodings are refused with a hint.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("encoding %q is not supported; save the file as UTF-8", sensors.Excerpt(label))
}
