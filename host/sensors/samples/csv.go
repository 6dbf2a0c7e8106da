package samples

import (
	"bytes"
	"github.com/watchbox/watchbox/host/sensors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseCSV parses a CSV sample file (see the package documentation for
// the format). file names the data in errors. It reports every problem it
// finds, up to sensors.MaxErrors, as sensors.Errors with lines.
func ParseCSV(file string, data []byte, opt Options) (*Series, error) {
	b := &builder{opt: opt}
	b.s.File = file
	data = bytes.TrimPrefix(data, bom)
	header := false
	for n, rest := 1, data; len(rest) > 0 && !b.full(); n++ {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		text := strings.TrimSpace(string(bytes.TrimSuffix(line, []byte{'\r'})))
		if text == "" || text[0] == '#' {
			continue
		}
		if !utf8.ValidString(text) {
			b.errf(n, "the line is not valid UTF-8 text; save the file as UTF-8")
			continue
		}
		fields := strings.Split(text, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if !header {
			header = true
			if !b.header(n, fields) {
				return nil, b.errs
			}
			continue
		}
		if len(fields) != 2 {
			hint := ""
			if len(fields) == 3 {
				hint = " (a decimal comma? write 142.5, not 142,5)"
			}
			b.errf(n, "expected 2 fields, time,value, got %d: %q%s", len(fields), sensors.Excerpt(text), hint)
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			if fields[1] == "" {
				b.errf(n, "the value is empty; give a number or remove the line")
			} else {
				b.errf(n, "value %q is not a number such as 142 or 142.5", sensors.Excerpt(fields[1]))
			}
			continue
		}
		b.add(n, fields[0], v)
	}
	return b.finish()
}

// timeNames are the names a CSV header may give the time column.
var timeNames = []string{"t", "time", "offset"}

// header checks the header line: "t,NAME".
func (b *builder) header(n int, fields []string) bool {
	if len(fields) == 2 {
		if _, _, _, err := parseTime(fields[0]); err == nil {
			b.errf(n, "the file has no header: the first line is a sample; add a line such as \"t,bpm\" above it")
			return false
		}
	}
	if len(fields) != 2 {
		b.errf(n, "the header has %d fields; it must have 2, the time column and the value's name, such as \"t,bpm\"", len(fields))
		return false
	}
	ok := false
	for _, s := range timeNames {
		if strings.EqualFold(fields[0], s) {
			ok = true
		}
	}
	if !ok {
		b.errf(n, "the header's first field is %q; it must name the time column: t, time or offset", sensors.Excerpt(fields[0]))
		return false
	}
	if fields[1] == "" {
		b.errf(n, "the header's second field is empty; name the value, such as \"t,bpm\"")
		return false
	}
	b.s.Name = fields[1]
	return true
}
