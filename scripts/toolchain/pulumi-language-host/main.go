// A minimal Pulumi language host for Node.js, Python and Go, written for this
// project's toolchain because the upstream pulumi-language-nodejs and
// pulumi-language-python modules are not served by the Go module proxy (only
// their pkg/v3 and sdk/v3 siblings are). One binary, installed under both
// names: the name it is started as selects the runtime. The Go runtime is in
// golang.go.
//
// It implements what `pulumi preview/up/destroy/about/install` need: it
// reports the provider plugins a Node.js program has in node_modules, and runs
// the program through the SDK's own entry point
// (node_modules/@pulumi/pulumi/cmd/run for Node.js, pulumi-language-python-exec
// beside this binary for Python), passing the engine's settings on the
// command line and the configuration in PULUMI_CONFIG, as the SDKs expect.
//
// For component providers (`pulumi package get-schema/add`, and a program that
// uses one) it also runs a Node.js plugin (RunPlugin, through the SDK's
// cmd/run-plugin, which serves a package's exported ComponentResources), and,
// for Python programs, generates an SDK from a schema (GeneratePackage, with
// the CLI's own Python code generator) and links it into the program
// (requirements.txt). It runs Node.js policy packs too (RunPlugin of kind
// analyzer, through the SDK's cmd/run-policy-pack), as `pulumi preview
// --policy-pack` asks. Program code generation (convert/import) is not supported.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pycodegen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Exit code with which the SDK's run script says it already told the user
// what went wrong, so the engine should not add a message of its own.
const exitCodeUserActionable = 32

func main() {
	// The engine passes optional flags (--logtostderr, -v=N, --tracing URL,
	// and older ones such as -root or -typescript) and then, last, its own
	// gRPC address.
	var engineAddress, tracing string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--tracing" || a == "-tracing":
			if i+1 < len(args) {
				tracing = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--tracing=") || strings.HasPrefix(a, "-tracing="):
			tracing = a[strings.Index(a, "=")+1:]
		case a == "-root" || a == "--root" || a == "-binary" || a == "--binary":
			i++ // flag with a separate value we do not use
		case strings.HasPrefix(a, "-"):
			// --logtostderr, -v=N, -typescript=..., ...: ignored
		default:
			engineAddress = a
		}
	}

	host := &langHost{engineAddress: engineAddress, tracing: tracing, python: isPython(), golang: isGo()}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: could not start the RPC server: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
	// The engine reads our port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "%s: RPC server stopped: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}

// isPython tells from the executable's name which runtime to serve.
func isPython() bool {
	return strings.Contains(filepath.Base(os.Args[0]), "python")
}

type langHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	python        bool
	golang        bool
	mu            sync.Mutex
	engineAddress string
	tracing       string
}

func (h *langHost) engine() (string, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress, h.tracing
}

func (h *langHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *langHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// ---- options from Pulumi.yaml (runtime.options) ----------------------------

type runtimeOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
	virtualenv string // python
}

func parseOptions(info *pulumirpc.ProgramInfo) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return opts
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeargs = strings.Fields(v)
	}
	if v, ok := m["virtualenv"].(string); ok {
		opts.virtualenv = v
	}
	return opts
}

func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

// ---- plugin discovery ----------------------------------------------------------

type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
	Pulumi       struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// findNodeModules returns the closest node_modules directory at or above dir.
func findNodeModules(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			return nm
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// collectPlugins walks node_modules (packages, @scope/packages and nested
// node_modules) for package.json files with "pulumi": {"resource": true}.
func collectPlugins(nodeModules string, seen map[string]*pulumirpc.PackageDependency, depth int) {
	if nodeModules == "" || depth > 8 {
		return
	}
	entries, err := os.ReadDir(nodeModules)
	if err != nil {
		return
	}
	var pkgDirs []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(nodeModules, name)
		if strings.HasPrefix(name, "@") {
			scoped, err := os.ReadDir(p)
			if err != nil {
				continue
			}
			for _, s := range scoped {
				pkgDirs = append(pkgDirs, filepath.Join(p, s.Name()))
			}
			continue
		}
		pkgDirs = append(pkgDirs, p)
	}
	for _, dir := range pkgDirs {
		if pj, err := readPackageJSON(filepath.Join(dir, "package.json")); err == nil && pj.Pulumi.Resource {
			name := pj.Pulumi.Name
			if name == "" {
				name = strings.TrimPrefix(strings.TrimPrefix(pj.Name, "@pulumi/"), "@")
			}
			ver := pj.Pulumi.Version
			if ver == "" {
				ver = pj.Version
			}
			if ver != "" && !strings.HasPrefix(ver, "v") {
				ver = "v" + ver
			}
			key := name + "@" + ver
			if _, ok := seen[key]; !ok && name != "" {
				seen[key] = &pulumirpc.PackageDependency{
					Name: name, Kind: "resource", Version: ver, Server: pj.Pulumi.Server,
				}
			}
		}
		collectPlugins(filepath.Join(dir, "node_modules"), seen, depth+1)
	}
}

func requiredPackages(dir string) []*pulumirpc.PackageDependency {
	seen := map[string]*pulumirpc.PackageDependency{}
	collectPlugins(findNodeModules(dir), seen, 0)
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*pulumirpc.PackageDependency, 0, len(keys))
	for _, k := range keys {
		out = append(out, seen[k])
	}
	return out
}

func (h *langHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	if h.python || h.golang {
		// Plugins are then loaded on demand, at the versions the SDKs ask for.
		return &pulumirpc.GetRequiredPackagesResponse{}, nil
	}
	return &pulumirpc.GetRequiredPackagesResponse{
		Packages: requiredPackages(programDir(req.GetInfo(), "")),
	}, nil
}

//nolint:staticcheck // deprecated upstream, still called as a fallback
func (h *langHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	var plugins []*pulumirpc.PluginDependency
	if h.python || h.golang {
		return &pulumirpc.GetRequiredPluginsResponse{}, nil
	}
	for _, p := range requiredPackages(programDir(req.GetInfo(), req.GetPwd())) {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// ---- running the program ---------------------------------------------------------

// locateSDKScript finds @pulumi/pulumi/cmd/<script> (run, run-plugin) the way Node would
// resolve it from the program directory.
func locateSDKScript(dir, script string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" && script == "run" {
		return p, nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", script)
		if _, err := os.Stat(filepath.Join(p, "index.js")); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", errors.New("it looks like the Pulumi SDK has not been installed " +
		"(no node_modules/@pulumi/pulumi/cmd/" + script + " above " + dir + "); have you run npm install?")
}

func (h *langHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.python {
		return h.runPython(ctx, req)
	}
	if h.golang {
		return h.runGo(ctx, req)
	}
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := parseOptions(info)

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	runPath, err := locateSDKScript(dir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	engine, tracing := h.engine()

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	flag := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	args = append(args, commonRunFlags(req, engine, dir, "root-directory")...)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetQueryMode() {
		args = append(args, "--query-mode")
	}
	if req.GetParallel() != 0 {
		flag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	flag("tracing", tracing)
	program := "."
	if info != nil && info.GetEntryPoint() != "" {
		program = info.GetEntryPoint()
	} else if req.GetProgram() != "" {
		program = req.GetProgram()
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	env, err := configEnv(req)
	if err != nil {
		return nil, err
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript))
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	if req.GetLoaderTarget() != "" {
		env = append(env, "PULUMI_LOADER_TARGET="+req.GetLoaderTarget())
	}
	return runProgram(ctx, nodeBin, args, dir, env), nil
}

// commonRunFlags are the flags both runtimes' program runners take; only the spelling of the
// root directory flag differs (Node.js: root-directory, Python: root_directory).
func commonRunFlags(req *pulumirpc.RunRequest, engine, dir, rootDirectoryFlag string) []string {
	var args []string
	flag := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", engine)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", dir)
	if info := req.GetInfo(); info != nil {
		flag(rootDirectoryFlag, info.GetRootDirectory())
	}
	return args
}

// configEnv is the environment plus the configuration, the way both SDKs read it.
func configEnv(req *pulumirpc.RunRequest) ([]string, error) {
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("serializing configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing secret configuration keys: %w", err)
	}
	return append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	), nil
}

// runProgram runs the language's entry point with our stdout/stderr (which the
// engine shows) and maps its exit status to a RunResponse.
func runProgram(ctx context.Context, bin string, args []string, dir string, env []string) *pulumirpc.RunResponse {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = env
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				if ws.ExitStatus() == exitCodeUserActionable {
					return &pulumirpc.RunResponse{Bail: true}
				}
				return &pulumirpc.RunResponse{
					Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ws.ExitStatus()),
				}
			}
			return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + err.Error()}
		}
		return &pulumirpc.RunResponse{
			Error: "Problem executing program (could not run language executor): " + err.Error(),
		}
	}
	return &pulumirpc.RunResponse{}
}

// ---- Python -------------------------------------------------------------------------

// pythonBin is the virtualenv's python when Pulumi.yaml names one (relative to
// the project root), else python3 on the PATH.
func pythonBin(info *pulumirpc.ProgramInfo, opts runtimeOptions) (string, []string, error) {
	env := []string{}
	if opts.virtualenv != "" {
		venv := opts.virtualenv
		if !filepath.IsAbs(venv) && info != nil {
			venv = filepath.Join(info.GetRootDirectory(), venv)
		}
		py := filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(py); err != nil {
			return "", nil, fmt.Errorf("the virtualenv %s does not exist; run `pulumi install`", venv)
		}
		env = append(env, "VIRTUAL_ENV="+venv,
			"PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
		return py, env, nil
	}
	for _, name := range []string{"python3", "python"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, env, nil
		}
	}
	return "", nil, errors.New("could not find python3 on the $PATH")
}

func (h *langHost) runPython(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	py, pyEnv, err := pythonBin(info, parseOptions(info))
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	execScript := filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
	engine, tracing := h.engine()
	args := append([]string{"-u", execScript}, commonRunFlags(req, engine, dir, "root_directory")...)
	flag := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	args = append(args, "--dry_run", strconv.FormatBool(req.GetDryRun()))
	args = append(args, "--parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", tracing)
	program := "."
	if info != nil && info.GetEntryPoint() != "" {
		program = info.GetEntryPoint()
	} else if req.GetProgram() != "" {
		program = req.GetProgram()
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	env, err := configEnv(req)
	if err != nil {
		return nil, err
	}
	env = append(env, pyEnv...)
	env = append(env, "PYTHONUNBUFFERED=1")
	return runProgram(ctx, py, args, dir, env), nil
}

// ---- install, about, dependencies ------------------------------------------------

type streamWriter struct {
	send   func(*pulumirpc.InstallDependenciesResponse) error
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	b := append([]byte{}, p...)
	msg := &pulumirpc.InstallDependenciesResponse{Stdout: b}
	if w.stderr {
		msg = &pulumirpc.InstallDependenciesResponse{Stderr: b}
	}
	if err := w.send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *langHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory())
	var mu sync.Mutex
	send := func(m *pulumirpc.InstallDependenciesResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return server.Send(m)
	}
	run := func(bin string, args ...string) error {
		cmd := exec.CommandContext(server.Context(), bin, args...)
		cmd.Dir = dir
		cmd.Stdout = streamWriter{send: send}
		cmd.Stderr = streamWriter{send: send, stderr: true}
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s in %s failed: %w", filepath.Base(bin), strings.Join(args, " "), dir, err)
		}
		return nil
	}
	if h.golang {
		goBin, err := exec.LookPath("go")
		if err != nil {
			return fmt.Errorf("could not find go on the $PATH: %w", err)
		}
		return run(goBin, "mod", "tidy")
	}
	if !h.python {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return fmt.Errorf("could not find npm on the $PATH: %w", err)
		}
		return run(npm, "install")
	}
	info := req.GetInfo()
	opts := parseOptions(info)
	if opts.virtualenv != "" {
		venv := opts.virtualenv
		if !filepath.IsAbs(venv) && info != nil {
			venv = filepath.Join(info.GetRootDirectory(), venv)
		}
		if _, err := os.Stat(filepath.Join(venv, "bin", "python")); err != nil {
			py, err := exec.LookPath("python3")
			if err != nil {
				return errors.New("could not find python3 on the $PATH")
			}
			if err := run(py, "-m", "venv", venv); err != nil {
				return err
			}
		}
	}
	py, _, err := pythonBin(info, opts)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "requirements.txt")); err != nil {
		return nil
	}
	return run(py, "-m", "pip", "install", "-r", "requirements.txt")
}

func (h *langHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *langHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	var bin string
	var err error
	if h.python {
		bin, _, err = pythonBin(req.GetInfo(), parseOptions(req.GetInfo()))
	} else if h.golang {
		bin, err = exec.LookPath("go")
	} else {
		bin, err = exec.LookPath("node")
	}
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	versionArgs := []string{"--version"}
	if h.golang {
		versionArgs = []string{"env", "GOVERSION"}
	}
	cmd := exec.CommandContext(ctx, bin, versionArgs...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running %s --version: %w", bin, err)
	}
	version := strings.TrimSpace(out.String())
	version = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(version, "Python "), "v"), "go")
	return &pulumirpc.AboutResponse{Executable: bin, Version: version}, nil
}

func (h *langHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	if h.python || h.golang {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	dir := programDir(req.GetInfo(), req.GetPwd())
	pj, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "reading package.json: %v", err)
	}
	nm := findNodeModules(dir)
	names := make([]string, 0, len(pj.Dependencies))
	for n := range pj.Dependencies {
		names = append(names, n)
	}
	sort.Strings(names)
	var deps []*pulumirpc.DependencyInfo
	for _, n := range names {
		ver := pj.Dependencies[n]
		if nm != "" {
			if dep, err := readPackageJSON(filepath.Join(nm, n, "package.json")); err == nil {
				ver = dep.Version
			}
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: ver})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// ---- plugins (component providers) -------------------------------------------------

// RunPlugin runs a Node.js plugin, e.g. a component provider (PulumiPlugin.yaml with
// runtime nodejs): @pulumi/pulumi/cmd/run-plugin loads the plugin directory's package.json
// "main" and, when it exports ComponentResource classes, serves them as a provider. The
// plugin writes its port to stdout, which is streamed back to the engine.
func (h *langHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if h.python || h.golang {
		return status.Error(codes.Unimplemented, "this host runs plugins written in Node.js only")
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := parseOptions(info)
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	// A policy pack (kind "analyzer") runs through cmd/run-policy-pack, which takes
	// <engine address> <policy pack directory>; anything else through cmd/run-plugin,
	// which takes <plugin directory> and then the engine's arguments.
	analyzer := req.GetKind() == "analyzer"
	script := "run-plugin"
	if analyzer {
		script = "run-policy-pack"
	}
	runPath, err := locateSDKScript(dir, script)
	if err != nil {
		return err
	}
	args := append([]string{runPath}, opts.nodeargs...)
	if analyzer {
		args = append(args, req.GetArgs()...)
		args = append(args, dir)
	} else {
		args = append(args, dir)
		args = append(args, req.GetArgs()...)
	}

	env := append([]string{}, req.GetEnv()...)
	if len(env) == 0 {
		env = os.Environ()
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript))
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.CommandContext(server.Context(), nodeBin, args...)
	cmd.Dir = req.GetPwd()
	if cmd.Dir == "" || analyzer {
		// A policy pack runs in its own directory: @pulumi/policy reads the pack's version
		// from ./package.json (the engine's old pulumi-analyzer-policy script did the same).
		cmd.Dir = dir
	}
	cmd.Env = env
	// Wrapped so exec copies through a goroutine (Node may make its fds non-blocking).
	cmd.Stdout = struct{ io.Writer }{stdout}
	cmd.Stderr = struct{ io.Writer }{stderr}
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				return fmt.Errorf("plugin %s exited with non-zero exit code: %d", dir, ws.ExitStatus())
			}
			return fmt.Errorf("plugin %s exited unexpectedly: %w", dir, err)
		}
		return fmt.Errorf("could not run plugin %s: %w", dir, err)
	}
	return closer.Close()
}

// ---- SDK generation and linking (Python programs) ------------------------------

// GeneratePackage writes a Python SDK for a schema, as `pulumi package add/gen-sdk` ask.
func (h *langHost) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	if !h.python && !h.golang {
		return nil, status.Error(codes.Unimplemented,
			"this host generates Python and Go SDKs only; a Node.js program imports the package itself")
	}
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("parsing the schema: %w", err)
	}
	if h.golang {
		// A Go SDK is its own module (go.mod beside the package directory), which Link replaces.
		if spec.Meta == nil {
			spec.Meta = &schema.MetadataSpec{}
		}
		spec.Meta.SupportPack = true
		// Input (Args) types for every object type: the Go generator marks a type as an input
		// only when it meets it behind a plain object property, so a type reached only through
		// a plain array of a component's args (SniProxyArgs.routes) would have no Args type and
		// the SDK would not compile.
		goInfo := map[string]any{}
		if raw, ok := spec.Language["go"]; ok {
			_ = json.Unmarshal(raw, &goInfo)
		}
		goInfo["generateExtraInputTypes"] = true
		raw, err := json.Marshal(goInfo)
		if err != nil {
			return nil, err
		}
		if spec.Language == nil {
			spec.Language = map[string]schema.RawMessage{}
		}
		spec.Language["go"] = raw
	}
	cached := schema.NewCachedLoader(loader)
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	rpcDiags := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
	}
	var files map[string][]byte
	if h.golang {
		files, err = gogen.GeneratePackage("pulumi-language-go", pkg, req.GetLocalDependencies())
	} else {
		files, err = pycodegen.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), cached)
	}
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
}

// Link adds each generated SDK directory to the program's requirements.txt (as a path pip
// installs from), replacing an earlier line for the same path. The engine then calls
// InstallDependencies, which pip-installs it into the program's virtualenv.
func (h *langHost) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	if h.golang {
		return linkGo(ctx, req)
	}
	if !h.python {
		return nil, status.Error(codes.Unimplemented, "this host links SDKs into Python programs only")
	}
	dir := programDir(req.GetInfo(), "")
	reqPath := filepath.Join(dir, "requirements.txt")
	existing, err := os.ReadFile(reqPath)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(existing), "\n"), "\n")
	if len(existing) == 0 {
		lines = nil
	}
	var instructions []string
	for _, dep := range req.GetPackages() {
		rel := filepath.ToSlash(dep.GetPath())
		if !strings.HasPrefix(rel, ".") && !filepath.IsAbs(rel) {
			rel = "./" + rel
		}
		found := false
		for _, l := range lines {
			if strings.TrimSpace(l) == rel {
				found = true
			}
		}
		if !found {
			lines = append(lines, rel)
		}
		name := dep.GetPackage().GetName()
		module := "pulumi_" + strings.ReplaceAll(name, "-", "_")
		instructions = append(instructions,
			fmt.Sprintf("import %s as %s", module, strings.ReplaceAll(name, "-", "_")))
	}
	if err := os.WriteFile(reqPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	return &pulumirpc.LinkResponse{
		ImportInstructions: "You can then import the SDK in your Python code with:\n\n  " +
			strings.Join(instructions, "\n  ") + "\n",
	}, nil
}
