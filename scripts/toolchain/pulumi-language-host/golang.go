package main

// The Go runtime of the language host: builds the program with the go command and runs it
// with the engine's settings in the environment (the Go SDK reads them there), generates Go
// SDKs with the CLI's own Go code generator, and links them into the program's go.mod.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// isGo tells from the executable's name (pulumi-language-go) whether to serve Go.
func isGo() bool {
	return strings.HasSuffix(filepath.Base(os.Args[0]), "-go")
}

func (h *langHost) runGo(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("could not find go on the $PATH: %w", err)
	}
	out, err := os.MkdirTemp("", "pulumi-go-program-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	program := filepath.Join(out, "program")
	build := exec.CommandContext(ctx, goBin, "build", "-o", program, ".")
	build.Dir = dir
	build.Stdout = os.Stderr
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("unable to build the Go program in %s: %v", dir, err)}, nil
	}

	engine, _ := h.engine()
	env, err := configEnv(req)
	if err != nil {
		return nil, err
	}
	set := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	set("PULUMI_MONITOR", req.GetMonitorAddress())
	set("PULUMI_ENGINE", engine)
	set("PULUMI_ORGANIZATION", req.GetOrganization())
	set("PULUMI_PROJECT", req.GetProject())
	set("PULUMI_STACK", req.GetStack())
	set("PULUMI_DRY_RUN", strconv.FormatBool(req.GetDryRun()))
	if req.GetParallel() != 0 {
		set("PULUMI_PARALLEL", strconv.Itoa(int(req.GetParallel())))
	}
	if info := req.GetInfo(); info != nil {
		set("PULUMI_ROOT_DIRECTORY", info.GetRootDirectory())
	}
	return runProgram(ctx, program, req.GetArgs(), dir, env), nil
}

var moduleLine = regexp.MustCompile(`(?m)^module\s+(\S+)`)

// linkGo makes each generated SDK module part of the program: a require of it, and a
// replace that points it at its directory. The engine then calls InstallDependencies
// (go mod tidy), which resolves the rest from the module proxy.
func linkGo(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	dir := programDir(req.GetInfo(), "")
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("could not find go on the $PATH: %w", err)
	}
	var instructions []string
	for _, dep := range req.GetPackages() {
		rel := filepath.ToSlash(dep.GetPath())
		if !strings.HasPrefix(rel, ".") && !filepath.IsAbs(rel) {
			rel = "./" + rel
		}
		sdk := filepath.Join(dir, dep.GetPath())
		mod, err := os.ReadFile(filepath.Join(sdk, "go.mod"))
		if err != nil {
			return nil, fmt.Errorf("the generated Go SDK has no go.mod: %w", err)
		}
		m := moduleLine.FindSubmatch(mod)
		if m == nil {
			return nil, fmt.Errorf("no module line in %s", filepath.Join(sdk, "go.mod"))
		}
		module := string(m[1])
		edit := exec.CommandContext(ctx, goBin, "mod", "edit", "-require="+module+"@v0.0.0", "-replace="+module+"="+rel)
		edit.Dir = dir
		if out, err := edit.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go mod edit in %s: %v: %s", dir, err, out)
		}
		// The package to import is the SDK's directory holding the generated resources.
		entries, err := os.ReadDir(sdk)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(e.Name(), "internal") {
				instructions = append(instructions, fmt.Sprintf("import %s \"%s/%s\"", e.Name(), module, e.Name()))
			}
		}
	}
	return &pulumirpc.LinkResponse{
		ImportInstructions: "You can then import the SDK in your Go code with:\n\n  " + strings.Join(instructions, "\n  ") + "\n",
	}, nil
}
