import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

// Runs the repository's stack program with the real Pulumi CLI and a local file backend, in a
// temporary project directory, so the tests never write into the repository (the passphrase
// secrets provider adds an encryption salt to the stack's config file).

export const REPO_ROOT = path.resolve(__dirname, "../../../..");

export interface E2eProject {
    readonly dir: string;
    readonly backendDir: string;
    readonly env: Record<string, string>;
    /** A stack of the project with this config (the `config:` map of a Pulumi.<stack>.yaml). */
    stack(name: string, config: Record<string, unknown>): Promise<Stack>;
    /** Rewrites a stack's config file. */
    setConfig(stack: Stack, config: Record<string, unknown>): Promise<void>;
    /** Runs the Pulumi CLI in the project; returns stdout. */
    cli(args: string[]): Promise<string>;
    cleanup(): void;
}

export function toolchainDir(): string {
    const dir = process.env.ISTIO_EGRESS_TOOLCHAIN;
    if (!dir) {
        throw new Error(
            "ISTIO_EGRESS_TOOLCHAIN is not set: run the e2e suite with `npm run test:e2e` (it builds the toolchain and sources its env.sh)",
        );
    }
    return dir;
}

/** The Pulumi CLI the toolchain built (scripts/toolchain.sh). */
export async function toolchainPulumi(): Promise<PulumiCommand> {
    const toolchain = toolchainDir();
    const pulumiRoot = fs.readdirSync(toolchain).find((d) => /^pulumi-v\d/.test(d) && !d.endsWith(".partial"));
    if (!pulumiRoot) {
        throw new Error(`no Pulumi CLI in ${toolchain}: run scripts/toolchain.sh`);
    }
    return PulumiCommand.get({ root: path.join(toolchain, pulumiRoot), skipVersionCheck: true });
}

/** The environment a temporary e2e project runs the CLI with: its own file backend, offline. */
export function projectEnv(backendDir: string, kubeconfigPath: string): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
        KUBECONFIG: kubeconfigPath,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    };
}

/** Runs the Pulumi CLI (non-interactive) in `cwd`; returns stdout, or fails with stderr. */
export function runPulumi(pulumi: PulumiCommand, args: string[], cwd: string, env: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(
            pulumi.command,
            [...args, "--non-interactive"],
            { cwd, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
            (err, stdout, stderr) => {
                if (err) {
                    reject(new Error(`pulumi ${args.join(" ")}: ${err.message}\n${stdout.slice(-4000)}\n${stderr}`));
                } else {
                    resolve(stdout);
                }
            },
        );
    });
}

/** The program the e2e project runs by default: the real index.ts with skipAwait (program/testStack.ts). */
export const TEST_STACK_PROGRAM = path.join(REPO_ROOT, "bin/test/e2e/program/testStack.js");

export interface CreateProjectOptions {
    /** Compiled program to run. @default TEST_STACK_PROGRAM */
    readonly programJs?: string;
    /** Goes into the temp directory's name. @default "project" */
    readonly label?: string;
    /** Extra environment for the CLI (engine settings such as PULUMI_SKIP_CHECKPOINTS). */
    readonly env?: Record<string, string>;
    /** Project config entries (`config:` of Pulumi.yaml) that override the repository's. */
    readonly projectConfig?: Record<string, unknown>;
}

export async function createProject(kubeconfigPath: string, opts: CreateProjectOptions = {}): Promise<E2eProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `istio-egress-${opts.label ?? "project"}-`));
    const backendDir = path.join(dir, ".state");
    fs.mkdirSync(backendDir);
    // The repository's project file (name, project config), running the compiled program.
    const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    delete project.stackConfigDir;
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        yaml.dump({
            ...project,
            config: { ...(project.config as Record<string, unknown>), ...opts.projectConfig },
            runtime: { name: "nodejs", options: { typescript: false } },
            main: "index.js",
        }),
    );
    fs.writeFileSync(path.join(dir, "index.js"), `module.exports = require(${JSON.stringify(opts.programJs ?? TEST_STACK_PROGRAM)});\n`);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "istio-egress-e2e", private: true, main: "index.js" }));
    // The language host finds @pulumi/pulumi (and the provider plugins' packages) from here.
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");

    const env = { ...projectEnv(backendDir, kubeconfigPath), ...opts.env };
    const pulumiCommand = await toolchainPulumi();
    const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand, envVars: env });

    const writeConfig = (name: string, config: Record<string, unknown>) => {
        const file = path.join(dir, `Pulumi.${name}.yaml`);
        const existing = fs.existsSync(file) ? (yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
        fs.writeFileSync(file, yaml.dump({ ...existing, config }));
    };
    return {
        dir,
        backendDir,
        env,
        async stack(name, config) {
            writeConfig(name, config);
            return Stack.createOrSelect(name, ws);
        },
        async setConfig(stack, config) {
            writeConfig(stack.name, config);
        },
        cli(args) {
            return runPulumi(pulumiCommand, args, dir, env);
        },
        cleanup() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** The config map of a stacks/Pulumi.<stack>.yaml file of the repository. */
export function exampleStackConfig(stackName: string): Record<string, unknown> {
    const doc = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "stacks", `Pulumi.${stackName}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    return doc.config ?? {};
}

/**
 * Points the config's gateway, if it has one, at the repository's local test chart (the chart
 * repository is unreachable). A stack without a gateway stays without one.
 */
export function withLocalChart(config: Record<string, unknown>): Record<string, unknown> {
    const gateway = { ...(config["istio-egress:gateway"] as Record<string, unknown> | undefined) };
    // No chart without a gateway, or for a Gateway API gateway (istiod deploys that one).
    if (config["istio-egress:gateway"] === undefined || gateway.api === "GATEWAY_API") {
        return config;
    }
    gateway.chart = { chart: path.join(REPO_ROOT, "charts/gateway") };
    return { ...config, "istio-egress:gateway": gateway };
}

/** Collects the resource operations an engine run reports, keyed by URN. */
export class OperationLog {
    /** Every operation on each URN, in order (a replacement is create-replacement, replace, delete-replaced). */
    readonly ops = new Map<string, string[]>();
    readonly diagnostics: string[] = [];
    readonly onEvent = (e: EngineEvent): void => {
        const meta = e.resourcePreEvent?.metadata;
        if (meta) {
            this.ops.set(meta.urn, [...(this.ops.get(meta.urn) ?? []), meta.op]);
        }
        if (e.diagnosticEvent && (e.diagnosticEvent.severity === "error" || e.diagnosticEvent.severity === "warning")) {
            this.diagnostics.push(`${e.diagnosticEvent.severity}: ${e.diagnosticEvent.message}`);
        }
    };
    /** URNs with an operation other than "same", and their operations. */
    changed(): Map<string, string[]> {
        return new Map([...this.ops].filter(([, ops]) => ops.some((op) => op !== "same")));
    }
}
