package meter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/watchbox/watchbox/host/meter/internal/instr"
)

// The official WebAssembly spec test suite, converted by wast2json, ships in
// wazero's module zip. The runner below executes every command on the
// original module and on its instrumented copy (with an unlimited budget)
// and requires identical behaviour: results, traps, exported globals and
// memory.

var wazeroDirOnce = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/wazero").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m github.com/tetratelabs/wazero: %w (run go mod download)", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", errors.New("wazero module directory not found: run go mod download")
	}
	return dir, nil
})

func specDir(t testing.TB) string {
	t.Helper()
	dir, err := wazeroDirOnce()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "internal", "integration_test", "spectest")
}

type specSuite struct {
	name     string
	features api.CoreFeatures
}

var specSuites = []specSuite{
	{"v1", api.CoreFeaturesV1},
	{"v2", api.CoreFeaturesV2},
	{"tail-call", api.CoreFeaturesV2 | experimental.CoreFeaturesTailCall},
	{"extended-const", api.CoreFeaturesV2 | experimental.CoreFeaturesExtendedConst},
	{"threads", api.CoreFeaturesV2 | experimental.CoreFeaturesThreads},
	{"exception-handling", api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling | experimental.CoreFeaturesTailCall},
	{"typed-function-references", api.CoreFeaturesV2 | experimental.CoreFeaturesTypedFunctionReferences | experimental.CoreFeaturesTailCall},
}

type specFile struct {
	SourceFile string        `json:"source_filename"`
	Commands   []specCommand `json:"commands"`
}

type specCommand struct {
	Type       string      `json:"type"`
	Line       int         `json:"line"`
	Name       string      `json:"name"`
	Filename   string      `json:"filename"`
	As         string      `json:"as"`
	Action     specAction  `json:"action"`
	Expected   []specValue `json:"expected"`
	ModuleType string      `json:"module_type"`
	Text       string      `json:"text"`
}

type specAction struct {
	Type   string      `json:"type"`
	Module string      `json:"module"`
	Field  string      `json:"field"`
	Args   []specValue `json:"args"`
}

type specValue struct {
	Type     string `json:"type"`
	LaneType string `json:"lane_type"`
	Value    any    `json:"value"`
}

func (v specValue) uint64s() []uint64 {
	if v.Type == "v128" {
		raw, _ := v.Value.([]any)
		width := map[string]int{"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}[v.LaneType]
		if width == 0 || len(raw) == 0 {
			return []uint64{0, 0}
		}
		var lo, hi uint64
		n := 128 / width
		for i := 0; i < n && i < len(raw); i++ {
			s, _ := raw[i].(string)
			x := parseSpecScalar(s, width)
			if i < n/2 {
				lo |= x << (i * width)
			} else {
				hi |= x << ((i - n/2) * width)
			}
		}
		return []uint64{lo, hi}
	}
	s, _ := v.Value.(string)
	if v.Value == nil || s == "null" {
		return []uint64{0}
	}
	if v.Type == "externref" {
		x, _ := strconv.ParseUint(s, 10, 64)
		return []uint64{x + 1} // wazero uses 0 for null
	}
	w := 64
	if strings.Contains(v.Type, "32") {
		w = 32
	}
	return []uint64{parseSpecScalar(s, w)}
}

func parseSpecScalar(s string, width int) uint64 {
	if strings.HasPrefix(s, "nan") {
		if width == 32 {
			return uint64(math.Float32bits(float32(math.NaN())))
		}
		return math.Float64bits(math.NaN())
	}
	if strings.HasPrefix(s, "-") {
		x, _ := strconv.ParseInt(s, 10, 64)
		if width < 64 {
			return uint64(x) & (1<<width - 1)
		}
		return uint64(x)
	}
	x, _ := strconv.ParseUint(s, 10, 64)
	return x
}

// specSide is one of the two worlds: original or instrumented.
type specSide struct {
	r       wazero.Runtime
	mods    map[string]api.Module
	last    api.Module
	exports map[api.Module][]instr.Export
	gauges  map[api.Module]*Gauge
	instrum bool
}

type specStats struct {
	files, modules, instrumented, assertions, rejected int
}

func newSpecSide(ctx context.Context, t testing.TB, features api.CoreFeatures, cache wazero.CompilationCache, spectestWasm []byte, instrum, cover bool) *specSide {
	cfg := wazero.NewRuntimeConfig().WithCoreFeatures(features).WithCompilationCache(cache)
	r := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := r.InstantiateWithConfig(ctx, spectestWasm, wazero.NewModuleConfig()); err != nil {
		t.Fatalf("instantiate spectest host module: %v", err)
	}
	if instrum {
		if err := NewHostModule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if cover {
		if _, err := NewCoverage(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return &specSide{r: r, mods: map[string]api.Module{}, exports: map[api.Module][]instr.Export{}, gauges: map[api.Module]*Gauge{}, instrum: instrum}
}

func (s *specSide) instantiate(ctx context.Context, bin []byte, name string) (api.Module, error) {
	m, err := s.r.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithName(name))
	if err != nil {
		return nil, err
	}
	s.exports[m], _ = instr.Exports(bin)
	if s.instrum {
		g, err := NewGauge(m)
		if err != nil {
			return nil, err
		}
		s.gauges[m] = g
	}
	return m, nil
}

func (s *specSide) module(name string) api.Module {
	if name != "" {
		return s.mods[name]
	}
	return s.last
}

type invokeResult struct {
	fn      api.Function
	results []uint64
	err     error
	outcome Outcome
}

func (s *specSide) invoke(ctx context.Context, a specAction) (invokeResult, error) {
	m := s.module(a.Module)
	if m == nil {
		return invokeResult{}, fmt.Errorf("no module %q", a.Module)
	}
	switch a.Type {
	case "get":
		g := m.ExportedGlobal(a.Field)
		if g == nil {
			return invokeResult{}, fmt.Errorf("no global %q", a.Field)
		}
		return invokeResult{results: []uint64{g.Get()}}, nil
	case "invoke":
	default:
		return invokeResult{}, fmt.Errorf("unsupported action %q", a.Type)
	}
	fn := m.ExportedFunction(a.Field)
	if fn == nil {
		return invokeResult{}, fmt.Errorf("no function %q", a.Field)
	}
	var args []uint64
	for _, v := range a.Args {
		args = append(args, v.uint64s()...)
	}
	if g := s.gauges[m]; g != nil {
		res, out, _, err := g.Call(ctx, fn, MaxFuel, zeroTime, args...)
		return invokeResult{fn, res, err, out}, nil
	}
	res, err := fn.Call(ctx, args...)
	out := OK
	if err != nil {
		out = Trap
	}
	return invokeResult{fn, res, err, out}, nil
}

// state summarises the observable state of a module: exported globals
// (except the fuel global) and exported memories.
func moduleState(m api.Module, exports []instr.Export) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	var names []string
	for _, e := range exports {
		if e.Kind == 3 && e.Name != FuelExport && e.Name != LimitExport && !strings.HasPrefix(e.Name, "watchbox_") {
			names = append(names, e.Name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if g := m.ExportedGlobal(n); g != nil && isNumeric(g.Type()) {
			fmt.Fprintf(&b, "g %s=%d;", n, g.Get())
		}
	}
	for n := range m.ExportedMemoryDefinitions() {
		if mem := m.ExportedMemory(n); mem != nil {
			buf, _ := mem.Read(0, mem.Size())
			fmt.Fprintf(&b, "m %s=%d:%x;", n, len(buf), fnv64(buf))
		}
	}
	return b.String()
}

func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	// Drop the wasm stack trace, which names differ nowhere but whose
	// offsets do.
	s := err.Error()
	if i := strings.Index(s, "\nwasm stack trace"); i >= 0 {
		s = s[:i]
	}
	return s
}

// instrumentedSide is one way of instrumenting the spec modules, compared
// with the original.
type instrumentedSide struct {
	name       string
	instrument func([]byte) ([]byte, error)
	cover      bool
}

var instrumentedSides = []instrumentedSide{
	{"instrumented", func(bin []byte) ([]byte, error) { return Instrument(bin, Strict) }, false},
	{"instrumented for fuzzing", func(bin []byte) ([]byte, error) {
		return InstrumentWith(bin, Strict, Extras{Coverage: true, Snapshots: true})
	}, true},
}

func runSpecFile(ctx context.Context, t *testing.T, dir string, suite specSuite, file string, cache wazero.CompilationCache, spectestWasm []byte, st *specStats) {
	raw, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var sf specFile
	if err := json.Unmarshal(raw, &sf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	st.files++
	orig := newSpecSide(ctx, t, suite.features, cache, spectestWasm, false, false)
	defer orig.r.Close(ctx)
	insts := make([]*specSide, len(instrumentedSides))
	for k, is := range instrumentedSides {
		insts[k] = newSpecSide(ctx, t, suite.features, cache, spectestWasm, true, is.cover)
		defer insts[k].r.Close(ctx)
	}
	fail := func(c specCommand, format string, args ...any) {
		t.Helper()
		t.Errorf("%s/%s:%d %s: %s", suite.name, sf.SourceFile, c.Line, c.Type, fmt.Sprintf(format, args...))
	}
	readBin := func(c specCommand) ([]byte, bool) {
		if c.ModuleType == "text" || c.Filename == "" || !strings.HasSuffix(c.Filename, ".wasm") {
			return nil, false
		}
		b, err := os.ReadFile(filepath.Join(dir, c.Filename))
		if err != nil {
			fail(c, "%v", err)
			return nil, false
		}
		return b, true
	}
	for i := 0; i < len(sf.Commands); i++ {
		c := sf.Commands[i]
		switch c.Type {
		case "module":
			bin, ok := readBin(c)
			if !ok {
				continue
			}
			reg := ""
			if i+1 < len(sf.Commands) && sf.Commands[i+1].Type == "register" {
				reg = sf.Commands[i+1].As
				i++
			}
			st.modules++
			mo, errO := orig.instantiate(ctx, bin, reg)
			// Each instrumented side follows the original: a side whose
			// module fails to instrument or instantiate keeps no module,
			// and its assertions are skipped (after the failure is
			// reported), as when the sides ran one at a time.
			for k, is := range instrumentedSides {
				inst := insts[k]
				inst.last = nil
				ibin, errI := is.instrument(bin)
				if errI != nil {
					if errO == nil {
						fail(c, "%s: instrumenting a valid module failed: %v", is.name, errI)
					}
					continue
				}
				if k == 0 {
					st.instrumented++
				}
				mi, errI := inst.instantiate(ctx, ibin, reg)
				if (errO == nil) != (errI == nil) {
					fail(c, "%s: instantiate: original err=%v, instrumented err=%v", is.name, errO, errI)
					continue
				}
				if errO == nil {
					if c.Name != "" {
						inst.mods[c.Name] = mi
					}
					inst.last = mi
				}
			}
			if errO != nil {
				orig.last = nil
				continue
			}
			if c.Name != "" {
				orig.mods[c.Name] = mo
			}
			orig.last = mo
		case "register":
			// A register not directly after its module re-exports a named
			// module; wazero has no aliasing, so re-instantiate is not
			// possible: such files are rare and registered via the module.
		case "assert_return", "action", "assert_trap", "assert_exhaustion", "assert_exception":
			if orig.module(c.Action.Module) == nil {
				continue // the module was a text module or failed in both worlds
			}
			ro, err1 := orig.invoke(ctx, c.Action)
			counted := false
			for k, is := range instrumentedSides {
				inst := insts[k]
				if inst.module(c.Action.Module) == nil {
					continue // its module failed on this side: reported above
				}
				ri, err2 := inst.invoke(ctx, c.Action)
				if err1 != nil || err2 != nil {
					fail(c, "%s: invoke: %v / %v", is.name, err1, err2)
					continue
				}
				if !counted {
					st.assertions++
					counted = true
				}
				if errText(ro.err) != errText(ri.err) {
					fail(c, "%s: %s: original error %q, instrumented error %q", is.name, c.Action.Field, errText(ro.err), errText(ri.err))
					continue
				}
				if ri.outcome == FuelExhausted || ri.outcome == DeadlineExceeded {
					fail(c, "%s: instrumented call reported %v with an unlimited budget", is.name, ri.outcome)
				}
				if fmt.Sprint(normResults(ro)) != fmt.Sprint(normResults(ri)) {
					fail(c, "%s: %s: original results %v, instrumented results %v", is.name, c.Action.Field, ro.results, ri.results)
				}
				if so, si := moduleState(orig.module(c.Action.Module), orig.exports[orig.module(c.Action.Module)]), moduleState(inst.module(c.Action.Module), inst.exports[inst.module(c.Action.Module)]); so != si {
					fail(c, "%s: state differs after %s:\noriginal     %s\ninstrumented %s", is.name, c.Action.Field, so, si)
				}
			}
			if !counted {
				continue
			}
			switch c.Type {
			case "assert_return":
				if ro.err != nil {
					fail(c, "%s: unexpected error %v", c.Action.Field, ro.err)
				} else if len(ro.results) != len(expectedWords(c.Expected)) {
					fail(c, "%s: %d results, want %d", c.Action.Field, len(ro.results), len(expectedWords(c.Expected)))
				}
			case "assert_trap", "assert_exhaustion", "assert_exception":
				if ro.err == nil {
					fail(c, "%s: expected a trap (%s), got results %v", c.Action.Field, c.Text, ro.results)
				}
			}
		case "assert_invalid", "assert_malformed", "assert_unlinkable", "assert_uninstantiable":
			bin, ok := readBin(c)
			if !ok {
				continue
			}
			st.assertions++
			_, errO := orig.r.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig())
			for k, is := range instrumentedSides {
				ibin, errInst := is.instrument(bin)
				if errInst != nil {
					if errO == nil {
						fail(c, "%s: instrumenting failed on a module the engine accepts: %v", is.name, errInst)
					}
					if k == 0 {
						st.rejected++
					}
					continue
				}
				_, errI := insts[k].r.InstantiateWithConfig(ctx, ibin, wazero.NewModuleConfig())
				if (errO == nil) != (errI == nil) {
					fail(c, "%s: original err=%v, instrumented err=%v", is.name, errO, errI)
				}
			}
		default:
			fail(c, "unsupported command")
		}
	}
}

func isNumeric(t api.ValueType) bool {
	switch t {
	case api.ValueTypeI32, api.ValueTypeI64, api.ValueTypeF32, api.ValueTypeF64, valueTypeV128:
		return true
	}
	return false
}

// normResults replaces function references, which are engine pointers that
// differ between two runtimes, by their null-ness.
func normResults(r invokeResult) []uint64 {
	if r.fn == nil {
		return r.results
	}
	out := append([]uint64(nil), r.results...)
	i := 0
	for _, t := range r.fn.Definition().ResultTypes() {
		if i >= len(out) {
			break
		}
		switch {
		case t == valueTypeV128:
			i += 2
			continue
		case isNumeric(t), t == api.ValueTypeExternref:
		default:
			if out[i] != 0 {
				out[i] = 1
			}
		}
		i++
	}
	return out
}

func expectedWords(vs []specValue) []uint64 {
	var out []uint64
	for _, v := range vs {
		out = append(out, v.uint64s()...)
	}
	return out
}

func testCompilationCache(t testing.TB) wazero.CompilationCache {
	c, err := wazero.NewCompilationCacheWithDir(filepath.Join(os.TempDir(), "watchbox-test-wazero-cache"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSpecSuite runs the spec suite on each module as it is and on two
// instrumented copies: metered (Instrument), and metered for fuzzing with
// coverage calls and snapshot exports (InstrumentWith). Both copies must
// behave as the original: results, traps, exported globals and memory.
// The original runs once for both copies; the proposal suites run side by
// side.
func TestSpecSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("the spec suite is long: go test without -short runs it (as .ci/run does)")
	}
	t.Parallel()
	ctx := context.Background()
	root := specDir(t)
	spectestWasm, err := os.ReadFile(filepath.Join(root, "testdata", "spectest.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var total specStats
	t.Run("suites", func(t *testing.T) {
		for _, suite := range specSuites {
			dir := filepath.Join(root, suite.name, "testdata")
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no spec tests in %s (err %v)", dir, err)
			}
			t.Run(suite.name, func(t *testing.T) {
				t.Parallel()
				// A cache object of its own: a runtime that closes
				// releases its modules from the engine of its cache
				// object, which other suites' runtimes, running at the
				// same time, would still be using.
				cache := testCompilationCache(t)
				var st specStats
				for _, f := range files {
					runSpecFile(ctx, t, dir, suite, filepath.Base(f), cache, spectestWasm, &st)
				}
				t.Logf("%s: %d files, %d modules (%d instrumented), %d assertions compared, %d invalid modules rejected by the instrumenter",
					suite.name, st.files, st.modules, st.instrumented, st.assertions, st.rejected)
				mu.Lock()
				defer mu.Unlock()
				total.files += st.files
				total.modules += st.modules
				total.instrumented += st.instrumented
				total.assertions += st.assertions
				total.rejected += st.rejected
			})
		}
	})
	t.Logf("total: %d files, %d modules (%d instrumented), %d assertions compared", total.files, total.modules, total.instrumented, total.assertions)
	if total.instrumented < 1000 || total.assertions < 10000 {
		t.Errorf("suspiciously few spec modules/assertions: %+v", total)
	}
}

var _ = bytes.Equal
