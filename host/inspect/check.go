package inspect

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/meter"
)

// Problem is one thing wrong with an app: its manifest, its module or its
// use of the ABI.
type Problem struct {
	// Where names the file, key, import or export concerned.
	Where string `json:"where"`
	// Message says what is wrong and what to do about it.
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Where == "" {
		return p.Message
	}
	return p.Where + ": " + p.Message
}

const wasiModule = "wasi_snapshot_preview1"

var wasmMagic = []byte("\x00asm")

// CheckBytes finds what is wrong with wasm before it is handed to wazero, so
// that the commonest mistakes get a message that says what to do. It is
// CheckHeader, then CheckBody.
func CheckBytes(name string, wasm []byte) *Problem {
	if p := CheckHeader(name, wasm); p != nil {
		return p
	}
	return CheckBody(name, wasm)
}

// CheckHeader checks the part of CheckBytes that costs nothing: that wasm
// is a core WebAssembly module of the supported version, by its first 8
// bytes.
func CheckHeader(name string, wasm []byte) *Problem {
	switch {
	case len(wasm) == 0:
		return &Problem{name, "file is empty; expected a WebAssembly module"}
	case len(wasm) < 8 || !bytes.Equal(wasm[:4], wasmMagic):
		head := wasm
		if len(head) > 8 {
			head = head[:8]
		}
		return &Problem{name, fmt.Sprintf("not a WebAssembly module: starts with %q, expected \"\\x00asm\"; pass a .wasm file or an app bundle directory", head)}
	case wasm[4] == 0x0d && wasm[6] == 0x01:
		return &Problem{name, "this is a WebAssembly component, not a core module; watchbox runs core modules (build for wasip1, not wasip2)"}
	case !bytes.Equal(wasm[4:8], []byte{1, 0, 0, 0}):
		return &Problem{name, fmt.Sprintf("unsupported WebAssembly binary version % x; expected 01 00 00 00", wasm[4:8])}
	}
	return nil
}

// CheckBody checks the part of CheckBytes that reads the whole module
// (meter.Validate), which costs about as much as metering it: a caller
// that already holds the metered form of these very bytes, made after
// they passed, may skip it.
func CheckBody(name string, wasm []byte) *Problem {
	// wazero's section decoders allocate what a count claims before they
	// read the elements: a few hundred bytes claiming four billion types
	// kill the process with an out-of-memory fatal error no recover
	// catches. The metering parser reads the same bytes with allocations
	// bounded by their size, so it goes first on every path to wazero.
	if err := meter.Validate(wasm); err != nil {
		p := CompileProblem(name, err, "")
		return &p
	}
	return nil
}

// CompileProblem explains a wazero compile error for the module in file,
// with what to do about the common cases.
func CompileProblem(file string, err error, memoryLimit string) Problem {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "over limit of") && strings.Contains(msg, "memory"):
		return Problem{file, fmt.Sprintf("the module's memory is larger than the manifest allows (%s); raise memoryLimit in watchapp.json (currently %s) or make the module smaller", msg, memoryLimit)}
	case strings.Contains(msg, "EOF") || strings.Contains(msg, "unexpected end") || strings.Contains(msg, "past the end") || strings.Contains(msg, "malformed module"):
		return Problem{file, fmt.Sprintf("the module is truncated or corrupt (%s); rebuild it", msg)}
	}
	return Problem{file, "invalid WebAssembly module: " + msg + "; rebuild it with a WebAssembly 2.0 toolchain"}
}

// ModuleInfo is what the runtime learns of a compiled module: the ABI version
// it declares and its imports and exports.
type ModuleInfo struct {
	ABIVersion int      `json:"abi_version"`
	Imports    []Symbol `json:"imports"`
	Exports    []Symbol `json:"exports"`
}

// Symbol is a function a module imports or exports, with its signature.
type Symbol struct {
	Module    string `json:"module,omitempty"`
	Name      string `json:"name"`
	Signature string `json:"signature"`
}

func sigOf(d api.FunctionDefinition) ([]abi.ValueType, []abi.ValueType) {
	conv := func(ts []api.ValueType) []abi.ValueType {
		out := make([]abi.ValueType, len(ts))
		for i, t := range ts {
			out[i] = abi.ValueType(t)
		}
		return out
	}
	return conv(d.ParamTypes()), conv(d.ResultTypes())
}

func sameSig(d api.FunctionDefinition, f abi.Func) bool {
	p, r := sigOf(d)
	return abi.SignatureOf(p, r) == f.Signature()
}

func describe(d api.FunctionDefinition) string {
	return abi.SignatureOf(sigOf(d))
}

// Instrumentation is what watchbox's instrumenter added to the module
// CheckModule checks: the imports it adds are the host's, and accepted
// only when it added them. The zero value is an app's module as built.
type Instrumentation struct {
	// Metered: the fuel metering import, meter.HostModule.RefuelFunc.
	Metered bool
	// Coverage: the fuzzer's coverage import, meter.CoverModule.CoverFunc.
	Coverage bool
}

// CheckModule checks a compiled module against the ABI without running any
// of its code. wasi holds the names of the WASI functions the host
// provides; added says which imports watchbox's instrumenter added to it.
func CheckModule(cm wazero.CompiledModule, wasi map[string]bool, added Instrumentation) (ModuleInfo, []Problem) {
	var info ModuleInfo
	var problems []Problem
	add := func(where, format string, args ...any) {
		problems = append(problems, Problem{where, fmt.Sprintf(format, args...)})
	}

	exports := cm.ExportedFunctions()
	names := make([]string, 0, len(exports))
	for n := range exports {
		names = append(names, n)
	}
	sort.Strings(names)
	var markers []string
	for _, n := range names {
		info.Exports = append(info.Exports, Symbol{Name: n, Signature: describe(exports[n])})
		if strings.HasPrefix(n, abi.MarkerPrefix) {
			markers = append(markers, n)
		}
	}
	for _, d := range cm.ImportedFunctions() {
		mod, name, _ := d.Import()
		info.Imports = append(info.Imports, Symbol{Module: mod, Name: name, Signature: describe(d)})
	}

	version := 0
	switch len(markers) {
	case 0:
		add("exports", "no ABI marker: the module exports no function named %sN, so it is not a watchbox app (Go apps get %s by importing github.com/watchbox/watchbox/guest-sdk/go/watch; C and Rust apps export an empty function of that name, see docs/abi.md)", abi.MarkerPrefix, abi.Marker)
	case 1:
		v, err := strconv.Atoi(strings.TrimPrefix(markers[0], abi.MarkerPrefix))
		if err != nil || v <= 0 {
			add("export "+markers[0], "malformed ABI marker; expected %sN with N a version number such as %s", abi.MarkerPrefix, abi.Marker)
			break
		}
		version = v
		if d := exports[markers[0]]; len(d.ParamTypes()) != 0 || len(d.ResultTypes()) != 0 {
			add("export "+markers[0], "has type %s; the ABI marker must be a function of type () -> ()", describe(d))
		}
		if v > abi.Version {
			add("export "+markers[0], "the module was built for ABI v%d, but this watchbox supports ABI v%d; upgrade watchbox or rebuild the app with a guest SDK for ABI v%d", v, abi.Version, abi.Version)
		} else if v < abi.Version {
			add("export "+markers[0], "the module was built for ABI v%d, which this watchbox no longer supports (it supports ABI v%d); rebuild the app with a current guest SDK", v, abi.Version)
		}
	default:
		add("exports", "more than one ABI marker (%s); a module declares exactly one ABI version", strings.Join(markers, ", "))
	}
	info.ABIVersion = version
	checkVersion := version
	if checkVersion == 0 || checkVersion > abi.Version {
		checkVersion = abi.Version
	}

	if _, ok := exports[abi.ExportStart]; ok {
		if _, ok := exports[abi.ExportInitialize]; !ok {
			add("export "+abi.ExportStart, "the module is a WASI command (it exports _start); a watch app must be a reactor: build Go apps with -buildmode=c-shared, C with clang -mexec-model=reactor, Rust as a cdylib")
		}
	}
	for _, f := range abi.Exports {
		d, ok := exports[f.Name]
		switch {
		case !ok && f.Required && f.Since <= checkVersion:
			add("exports", "missing export %s %s, required since ABI v%d", f.Name, f.Signature(), f.Since)
		case ok && !sameSig(d, f):
			add("export "+f.Name, "has type %s; ABI v%d requires %s", describe(d), checkVersion, f.Signature())
		}
	}
	if _, ok := cm.ExportedMemories()[abi.ExportMemory]; !ok {
		add("exports", "missing export %q (the module's linear memory), required since ABI v1", abi.ExportMemory)
	}

	refuels, covers := 0, 0
	for _, d := range cm.ImportedFunctions() {
		mod, name, _ := d.Import()
		where := "import " + mod + "." + name
		switch mod {
		case abi.ImportModule:
			f, ok := abi.LookupImport(name)
			switch {
			case !ok:
				add(where, "no ABI version defines this host function; watchbox provides %s", importNames())
			case f.Since > checkVersion:
				add(where, "added in ABI v%d, but the module declares ABI v%d", f.Since, checkVersion)
			case !sameSig(d, f):
				add(where, "has type %s; ABI v%d defines %s", describe(d), checkVersion, f.Signature())
			}
		case wasiModule:
			if !wasi[name] {
				add(where, "watchbox does not provide this WASI function")
			}
		case meter.HostModule:
			// Added by the instrumenter, once, when it meters the module.
			refuels++
			if !added.Metered || refuels > 1 || name != meter.RefuelFunc || len(d.ParamTypes())+len(d.ResultTypes()) != 0 {
				add(where, "the module imports from %q, which watchbox reserves for its fuel metering (it adds that import itself); remove this import from the app", meter.HostModule)
			}
		case meter.CoverModule:
			// Added by the instrumenter, once, for the fuzzer (meter.Extras).
			covers++
			if !added.Coverage || covers > 1 || name != meter.CoverFunc || len(d.ParamTypes()) != 1 || len(d.ResultTypes()) != 0 {
				add(where, "the module imports from %q, which watchbox reserves for the fuzzer's coverage instrumentation (it adds that import itself, only under `watchbox fuzz`); remove this import from the app", meter.CoverModule)
			}
		default:
			add(where, "watchbox provides only the modules %q and %q; remove this import or build for wasip1", abi.ImportModule, wasiModule)
		}
	}
	for _, m := range cm.ImportedMemories() {
		mod, name, _ := m.Import()
		add("import "+mod+"."+name, "imported memory is not supported; the module must define and export its own memory")
	}
	return info, problems
}

func importNames() string {
	var names []string
	for _, f := range abi.Imports {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}
