package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/abi/msg/msgtest"
)

const committed = "../../../../guest-sdk/c/watchbox.h"

// TestHeaderUpToDate fails when the committed header is not what the
// generator writes from today's abi and abi/msg.
func TestHeaderUpToDate(t *testing.T) {
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if want := header(); !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		t.Fatalf("guest-sdk/c/watchbox.h is out of date (first difference at line %d): run go generate ./abi/...", line+1)
	}
}

// TestHeaderNamesEverything: every number of package abi has its name in
// the header, so a C guest needs no constants of its own.
func TestHeaderNamesEverything(t *testing.T) {
	h := string(header())
	var want []string
	for _, k := range abi.EventKinds() {
		want = append(want, fmt.Sprintf("WB_EVENT_%s = %d,", ident(k.String()), k))
	}
	for _, o := range abi.Ops() {
		want = append(want, fmt.Sprintf("WB_OP_%s = %d,", ident(o.String()), o))
	}
	for _, f := range abi.Fields() {
		want = append(want, fmt.Sprintf("WB_FIELD_%s = %d,", ident(f.String()), f))
	}
	for _, f := range abi.Imports {
		want = append(want, fmt.Sprintf("WB_IMPORT(%q)", f.Name))
	}
	want = append(want, "WB_STATUS_BAD_EVENT = 18,", "WB_TASK_RELEVANT_SHORTCUT = 7,", "WB_STATE_SUSPENDED = 4,",
		"WB_SNAPSHOT_RETURN_TO_DEFAULT_STATE = 5,", "WB_TYPE_RECORD = 5,", "WB_LEVEL_ERROR = 3,",
		"int32_t wb_refusal_decode(", "wb_bytes refusal; /* key 36")
	for _, s := range want {
		if !strings.Contains(h, s) {
			t.Errorf("the header lacks %q", s)
		}
	}
}

// TestHeaderCodecMatchesGo compiles a C program with the header that
// decodes and re-encodes the golden table (and its repeated-field and
// malformed variants) and checks it agrees with the Go codec byte for byte.
// It needs a C compiler ($CC, else clang, else cc); without one it is
// skipped.
func TestHeaderCodecMatchesGo(t *testing.T) {
	cc := os.Getenv("CC")
	if cc == "" {
		var err error
		if cc, err = exec.LookPath("clang"); err != nil {
			if cc, err = exec.LookPath("cc"); err != nil {
				t.Skip("no C compiler ($CC, clang or cc)")
			}
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "watchbox.h"), header(), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, want := cProgram()
	if err := os.WriteFile(filepath.Join(dir, "golden.c"), prog, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "golden")
	out, err := exec.Command(cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1", "-o", bin, filepath.Join(dir, "golden.c")).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cc, err, out)
	}
	out, err = exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("golden: %v\n%s", err, out)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(got) < 60 {
		t.Errorf("only %d checks ran", len(got))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("C codec:\n got  %q\n want %q", got, want)
	}
}

// cProgram writes a C program that checks the golden cases and the lines
// it must print.
func cProgram() ([]byte, []string) {
	var b bytes.Buffer
	var want []string
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("#define WB_NO_IMPORTS\n#include <stdio.h>\n#include <string.h>\n#include \"watchbox.h\"\n\n")
	p("static uint8_t out[1 << 16];\n\n")
	p(`static void same(const char *name, int32_t rc, const uint8_t *got, uint32_t n, const uint8_t *want, uint32_t m) {
	if (rc != 0) printf("%%s: decode returned %%d\n", name, (int)rc);
	else if (n != m || memcmp(got, want, n) != 0) printf("%%s: re-encoded to other bytes\n", name);
	else printf("%%s: ok\n", name);
}
`)
	arr := func(b []byte) string {
		if len(b) == 0 {
			return "(const uint8_t *)\"\", 0"
		}
		var s strings.Builder
		s.WriteString("(const uint8_t[]){")
		for i, c := range b {
			if i > 0 {
				s.WriteString(",")
			}
			fmt.Fprintf(&s, "%d", c)
		}
		fmt.Fprintf(&s, "}, %d", len(b))
		return s.String()
	}
	n := 0
	check := func(name string, s *msg.Spec, wire, repeats []byte, bad []msgtest.Malformed) {
		n++
		p("static void check%d(void) {\n\twb_%s m;\n\twb_writer w;\n\tint32_t rc;\n", n, s.Name)
		for _, v := range []struct {
			what string
			in   []byte
		}{{"", wire}, {" with repeats", repeats}} {
			p("\trc = wb_%s_decode(%s, &m);\n", s.Name, arr(v.in))
			p("\tw = wb_writer_init(out, sizeof out);\n\twb_%s_encode(&w, &m);\n", s.Name)
			p("\tsame(%q, rc, out, w.n, %s);\n", name+v.what, arr(wire))
			want = append(want, name+v.what+": ok")
		}
		for _, bad := range bad {
			code := -1
			if bad.Field != "" {
				for _, f := range s.Fields {
					if f.Key.String() == bad.Field {
						code = int(f.Key)
					}
				}
			}
			p("\tprintf(\"%%s: %%d\\n\", %q, (int)wb_%s_decode(%s, &m));\n", name+", "+bad.What, s.Name, arr(bad.Wire))
			want = append(want, fmt.Sprintf("%s, %s: %d", name, bad.What, code))
		}
		p("}\n\n")
	}
	for _, c := range msgtest.Cases() {
		s := c.Value.Spec()
		if len(s.Fields) == 0 {
			continue
		}
		if s.Fields[0].Presence == msg.Repeated {
			// C writes no records: check each task record on its own.
			r := abi.NewReader(c.Wire)
			for i := 0; r.Next(); i++ {
				v := r.Value()
				rec := s.Fields[0].Record
				check(fmt.Sprintf("%s, record %d", c.Name, i), rec, v.Data, msgtest.Repeats(v.Data, rec), nil)
			}
			continue
		}
		check(c.Name, s, c.Wire, msgtest.Repeats(c.Wire, s), msgtest.Malformeds(c))
	}
	p("int main(void) {\n")
	for i := 1; i <= n; i++ {
		p("\tcheck%d();\n", i)
	}
	p("\treturn 0;\n}\n")
	return b.Bytes(), want
}
