// Package wasiexec runs one WASI preview 1 module once, metered, the way
// `wasmtime run --fuel` does: it is `watchbox exec`. It knows nothing of
// watch apps; the app runtime is package host.
package wasiexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/watchbox/watchbox/host/meter"
)

// Options configures Run.
type Options struct {
	// Fuel is the budget for the whole run (_initialize and the invoked
	// export together); 0 or less means unlimited (meter.MaxFuel).
	Fuel int64
	// Timeout is the wall-clock limit of the run; 0 means none.
	Timeout time.Duration
	// NoMeter runs the module as is: no fuel, and the timeout is enforced
	// with wazero's context interruption (much slower guest code).
	NoMeter bool
	// CostModel is the fuel cost model (default meter.Strict).
	CostModel meter.CostModel
	// Invoke names the export to call. Empty runs a command module's
	// _start. If the module exports _initialize it runs first.
	Invoke string
	// Args are the invoked export's arguments, parsed to its parameter
	// types (decimal or 0x-hex integers, floats for f32/f64).
	Args []string
	// Name is argv[0] seen by the guest; default "module".
	Name string
	// Stdin, Stdout and Stderr are the guest's WASI streams; nil means
	// empty input and discarded output.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// CacheDir holds wazero's compilation cache (CacheDir/wazero) and
	// instrumented modules (CacheDir/meter); empty means no cache.
	CacheDir string
}

// Outcomes of Run, the values of Result.Outcome.
const (
	OK               = "ok"
	FuelExhausted    = "fuel_exhausted"
	DeadlineExceeded = "deadline_exceeded"
	Trap             = "trap"
	Exit             = "exit" // proc_exit with a non-zero code
	// Interrupted: ctx was cancelled (a Ctrl-C of watchbox exec) before
	// the guest ended; not the guest's doing, unlike DeadlineExceeded.
	Interrupted = "interrupted"
)

// Result is the outcome of Run.
type Result struct {
	// Outcome is one of the outcome constants (OK, FuelExhausted, ...).
	Outcome string `json:"outcome"`
	// ExitCode is the guest's proc_exit code (0 unless Outcome is "exit").
	ExitCode uint32 `json:"exit_code"`
	// Export is the function that was called ("_start" for commands).
	Export string `json:"export"`
	// Results are the invoked export's results, formatted by type.
	Results []string `json:"results"`
	// ResultTypes are the Wasm types of Results ("i32", "f64", ...).
	ResultTypes []string `json:"result_types"`
	// Metered tells whether the module ran instrumented.
	Metered bool `json:"metered"`
	// CostModel is the cost model used when metered.
	CostModel string `json:"cost_model,omitempty"`
	// FuelUsed is the fuel charged (0 when not metered). It is exact and
	// deterministic for "ok", "exit" and "fuel_exhausted".
	FuelUsed int64 `json:"fuel_used"`
	// InitFuel is the part of FuelUsed that a reactor's _initialize used
	// before the invoked export ran (0 for commands and when not metered).
	// FuelUsed minus InitFuel is the invoked call's own fuel, the figure to
	// compare with one wasmtime call's consume_fuel: a Go module's
	// _initialize reads WASI randomness, so whole-run fuel cannot match.
	InitFuel int64 `json:"init_fuel"`
	// Fuel is the budget (meter.MaxFuel when unlimited).
	Fuel int64 `json:"fuel"`
	// Wall is the wall-clock time of the calls (not of compilation).
	Wall time.Duration `json:"wall_ns"`
	// Compile is the time to instrument and compile the module.
	Compile time.Duration `json:"compile_ns"`
	// Trap is the engine's message for "trap", "fuel_exhausted" and
	// "deadline_exceeded".
	Trap string `json:"trap,omitempty"`
}

// ErrorKind classifies an Error.
type ErrorKind int

const (
	// BadRequest: the options or arguments are wrong (bad export name,
	// wrong argument count or syntax).
	BadRequest ErrorKind = iota + 1
	// BadModule: the module is malformed, invalid or cannot be
	// instantiated (for example an unsatisfied import).
	BadModule
	// Failure: the runtime failed (I/O, cache, engine).
	Failure
)

// Error is the error Run returns when it could not run the module.
// How the guest itself ended is never an error: see Result.Outcome.
type Error struct {
	Kind ErrorKind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func runErr(kind ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// Run runs any WASI preview1 module the way `wasmtime run --fuel` does: a
// command's _start, or a reactor's _initialize followed by the export named
// in opts.Invoke with integer or float arguments. Unless opts.NoMeter, the
// module is instrumented by host/meter and runs under opts.Fuel and
// opts.Timeout. The returned error is an *Error; the guest's own ending
// (trap, exhaustion, deadline, exit) is reported in the result.
func Run(ctx context.Context, wasm []byte, opts Options) (*Result, error) {
	res, err := run(ctx, wasm, opts)
	if res != nil && res.Outcome == DeadlineExceeded && ctx.Err() != nil {
		// The guest was stopped as at a deadline, but by ctx, not by
		// opts.Timeout (whose context is another).
		res.Outcome, res.Trap = Interrupted, "interrupted before it ended: "+res.Trap
	}
	return res, err
}

func run(ctx context.Context, wasm []byte, opts Options) (*Result, error) {
	res := &Result{Metered: !opts.NoMeter, Fuel: opts.Fuel}
	if res.Fuel <= 0 || res.Fuel > meter.MaxFuel {
		res.Fuel = meter.MaxFuel
	}
	if opts.Name == "" {
		opts.Name = "module"
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.Invoke == "" && len(opts.Args) > 0 {
		return nil, runErr(BadRequest, "arguments %q need an export to pass them to: use --invoke EXPORT ARGS...", opts.Args)
	}

	start := time.Now()
	// wazero allocates what a section's counts claim before reading the
	// elements, and a corrupt count kills the process with an out-of-memory
	// fatal error: check the sizes first, metered or not.
	if err := meter.Validate(wasm); err != nil {
		return nil, &Error{BadModule, err}
	}
	bin := wasm
	if !opts.NoMeter {
		res.CostModel = opts.CostModel.String()
		var err error
		if opts.CacheDir != "" {
			var c *meter.Cache
			if c, err = meter.NewCache(filepath.Join(opts.CacheDir, "meter")); err != nil {
				return nil, &Error{Failure, err}
			}
			bin, err = c.Instrument(wasm, opts.CostModel)
		} else {
			bin, err = meter.Instrument(wasm, opts.CostModel)
		}
		if err != nil {
			if errors.Is(err, meter.ErrUnknownCostModel) {
				return nil, &Error{BadRequest, err}
			}
			return nil, &Error{BadModule, err}
		}
	}

	cfg := wazero.NewRuntimeConfig()
	if opts.NoMeter && opts.Timeout > 0 {
		cfg = cfg.WithCloseOnContextDone(true) // the only way to stop unmetered code
	}
	if opts.CacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(opts.CacheDir, "wazero"))
		if err != nil {
			return nil, runErr(Failure, "compilation cache in %s: %w", opts.CacheDir, err)
		}
		defer cache.Close(ctx)
		cfg = cfg.WithCompilationCache(cache)
	}
	r := wazero.NewRuntimeWithConfig(ctx, cfg)
	defer r.Close(ctx)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
		return nil, runErr(Failure, "instantiating WASI: %w", err)
	}
	if err := meter.NewHostModule(ctx, r); err != nil {
		return nil, runErr(Failure, "%w", err)
	}
	cm, err := r.CompileModule(ctx, bin)
	if err != nil {
		return nil, runErr(BadModule, "invalid module: %w", err)
	}
	res.Compile = time.Since(start)

	exports := cm.ExportedFunctions()
	_, hasStart := exports["_start"]
	_, hasInit := exports["_initialize"]
	res.Export = opts.Invoke
	if opts.Invoke == "" {
		if !hasStart {
			return nil, runErr(BadRequest, "the module has no _start export (it is not a WASI command): name an export with --invoke EXPORT; exports: %s", exportList(exports))
		}
		res.Export = "_start"
	} else if _, ok := exports[opts.Invoke]; !ok {
		return nil, runErr(BadRequest, "the module exports no function %q; exports: %s", opts.Invoke, exportList(exports))
	}
	def := exports[res.Export]
	params, err := parseArgs(def, opts.Args)
	if err != nil {
		return nil, &Error{BadRequest, err}
	}
	for _, t := range def.ResultTypes() {
		res.ResultTypes = append(res.ResultTypes, api.ValueTypeName(t))
	}

	modCfg := wazero.NewModuleConfig().WithName("").WithArgs(opts.Name).
		WithStdout(opts.Stdout).WithStderr(opts.Stderr).WithStartFunctions().
		WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	if opts.Stdin != nil {
		modCfg = modCfg.WithStdin(opts.Stdin)
	}
	var deadline time.Time
	runCtx := ctx
	if opts.Timeout > 0 {
		deadline = start.Add(res.Compile).Add(opts.Timeout)
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	callStart := time.Now()
	defer func() { res.Wall = time.Since(callStart) }()
	mod, err := r.InstantiateModule(runCtx, cm, modCfg)
	if err != nil {
		if finishExit(res, err) {
			return res, nil
		}
		return nil, runErr(BadModule, "instantiating the module: %w", err)
	}

	calls := []string{res.Export}
	if hasInit && res.Export != "_initialize" {
		calls = []string{"_initialize", res.Export}
	}
	var gauge *meter.Gauge
	if !opts.NoMeter {
		if gauge, err = meter.NewGauge(mod); err != nil {
			return nil, &Error{Failure, err}
		}
	}
	for _, name := range calls {
		fn := mod.ExportedFunction(name)
		var args []uint64
		if name == res.Export {
			args = params
		}
		var results []uint64
		var out meter.Outcome
		var used int64
		if gauge != nil {
			results, out, used, err = gauge.Call(ctx, fn, res.Fuel-res.FuelUsed, deadline, args...)
			res.FuelUsed += used
			if name == "_initialize" && res.Export != "_initialize" {
				res.InitFuel = used
			}
		} else {
			results, err = fn.Call(runCtx, args...)
			out = classifyUnmetered(err)
		}
		switch out {
		case meter.OK:
			if name == res.Export {
				res.Outcome = OK
				res.Results = formatResults(def.ResultTypes(), results)
			}
			continue
		case meter.Exit:
			finishExit(res, err)
			return res, nil
		case meter.FuelExhausted:
			res.Outcome = FuelExhausted
			res.Trap = fmt.Sprintf("fuel exhausted in %s: used %d of a budget of %d", name, res.FuelUsed, res.Fuel)
			return res, nil
		case meter.DeadlineExceeded:
			res.Outcome = DeadlineExceeded
		default:
			res.Outcome = Trap
		}
		res.Trap = err.Error()
		return res, nil
	}
	return res, nil
}

// finishExit records a proc_exit; it reports false if err is no exit.
func finishExit(res *Result, err error) bool {
	var ee *sys.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	switch ee.ExitCode() {
	case sys.ExitCodeDeadlineExceeded, sys.ExitCodeContextCanceled:
		res.Outcome = DeadlineExceeded
		res.Trap = err.Error()
	case 0:
		res.Outcome = OK
	default:
		res.Outcome = Exit
		res.ExitCode = ee.ExitCode()
	}
	return true
}

func classifyUnmetered(err error) meter.Outcome {
	var ee *sys.ExitError
	switch {
	case err == nil:
		return meter.OK
	case errors.As(err, &ee) && (ee.ExitCode() == sys.ExitCodeDeadlineExceeded || ee.ExitCode() == sys.ExitCodeContextCanceled):
		return meter.DeadlineExceeded
	case errors.As(err, &ee):
		return meter.Exit
	}
	return meter.Trap
}

func exportList(exports map[string]api.FunctionDefinition) string {
	var names []string
	for n, d := range exports {
		var ps []string
		for _, p := range d.ParamTypes() {
			ps = append(ps, api.ValueTypeName(p))
		}
		names = append(names, n+"("+strings.Join(ps, ", ")+")")
	}
	if len(names) == 0 {
		return "none"
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// parseArgs converts textual arguments to the export's parameter types.
func parseArgs(def api.FunctionDefinition, args []string) ([]uint64, error) {
	types := def.ParamTypes()
	if len(args) != len(types) {
		var ps []string
		for _, t := range types {
			ps = append(ps, api.ValueTypeName(t))
		}
		return nil, fmt.Errorf("export %q takes %d argument(s) (%s), got %d", def.ExportNames()[0], len(types), strings.Join(ps, ", "), len(args))
	}
	out := make([]uint64, len(args))
	for i, s := range args {
		t := types[i]
		bad := func(err error) error {
			return fmt.Errorf("argument %d (%q) of %q is not a valid %s: %v", i+1, s, def.ExportNames()[0], api.ValueTypeName(t), err)
		}
		switch t {
		case api.ValueTypeI32:
			v, err := parseInt(s, 32)
			if err != nil {
				return nil, bad(err)
			}
			out[i] = uint64(uint32(v))
		case api.ValueTypeI64:
			v, err := parseInt(s, 64)
			if err != nil {
				return nil, bad(err)
			}
			out[i] = uint64(v)
		case api.ValueTypeF32:
			v, err := strconv.ParseFloat(s, 32)
			if err != nil {
				return nil, bad(err)
			}
			out[i] = uint64(math.Float32bits(float32(v)))
		case api.ValueTypeF64:
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, bad(err)
			}
			out[i] = math.Float64bits(v)
		default:
			return nil, fmt.Errorf("argument %d of %q has type %s, which cannot be given on the command line", i+1, def.ExportNames()[0], api.ValueTypeName(t))
		}
	}
	return out, nil
}

// parseInt accepts signed or unsigned decimal (or 0x hex) values that fit
// in bits bits.
func parseInt(s string, bits int) (int64, error) {
	if v, err := strconv.ParseInt(s, 0, bits); err == nil {
		return v, nil
	}
	u, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		return 0, errors.Unwrap(err)
	}
	return int64(u), nil
}

func formatResults(types []api.ValueType, vals []uint64) []string {
	out := make([]string, 0, len(vals))
	for i, v := range vals {
		t := api.ValueTypeI64
		if i < len(types) {
			t = types[i]
		}
		switch t {
		case api.ValueTypeI32:
			out = append(out, strconv.FormatInt(int64(int32(uint32(v))), 10))
		case api.ValueTypeI64:
			out = append(out, strconv.FormatInt(int64(v), 10))
		case api.ValueTypeF32:
			out = append(out, strconv.FormatFloat(float64(math.Float32frombits(uint32(v))), 'g', -1, 32))
		case api.ValueTypeF64:
			out = append(out, strconv.FormatFloat(math.Float64frombits(v), 'g', -1, 64))
		default:
			out = append(out, fmt.Sprintf("%#x", v))
		}
	}
	return out
}
