import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { performance } from "perf_hooks";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { startCluster, TestCluster } from "../test/e2e/support/cluster";
import { toolchainDir } from "../test/e2e/support/pulumiProject";
import { Variant } from "./mockRun";
import { benchStackConfig, PREEXISTING_NAMESPACES, REPO_ROOT } from "./workload";

// The real engine: the Pulumi CLI, the Node.js language host and the kubernetes provider plugin
// from the toolchain, against the e2e harness's throw-away kube-apiserver (with Istio's CRDs).
// Per sample a fresh cluster and a fresh temporary project (local file backend): `pulumi
// preview` (everything to create), `pulumi up`, `pulumi preview` again (no changes: the
// pull-request case), each timed by wall clock around the Automation API call (CLI start,
// plugins, program, engine and API server all included).

/** The package: the repository's stack program (index.ts) with the e2e skipAwait transform. */
const PACKAGE_PROGRAM = path.join(REPO_ROOT, "bin/test/e2e/program/testStack.js");
/** The baseline: bench/baselineStack.ts with the same transform. */
const BASELINE_PROGRAM = path.join(REPO_ROOT, "bin/bench/baselineProgram.js");
const CRDS = path.resolve(REPO_ROOT, "../shared/istio/crd-all.gen.yaml");

export interface RealSample {
    readonly variant: Variant;
    readonly n: number;
    readonly rep: number;
    readonly previewMs?: number;
    readonly upMs?: number;
    readonly noChangePreviewMs?: number;
    /** Resources `pulumi up` created (stack, provider, components, chart objects, …). */
    readonly created?: number;
    readonly error?: string;
}

export interface RealEngineOptions {
    readonly ns: number[];
    readonly repeats: number;
    /** Also try N = 1000 (one repeat) when the N = 100 figures predict it fits in budgetMs. */
    readonly try1000: boolean;
    readonly budgetMs: number;
    readonly log: (line: string) => void;
}

export interface RealEngineResult {
    readonly samples: RealSample[];
    readonly notes: string[];
}

interface BenchProject {
    readonly dir: string;
    stack(name: string, config: Record<string, unknown>): Promise<Stack>;
    cleanup(): void;
}

/** A temporary Pulumi project running `programJs`; like test/e2e/support/pulumiProject.ts, program path chosen. */
async function createBenchProject(kubeconfigPath: string, programJs: string, label: string): Promise<BenchProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `istio-egress-bench-${label}-`));
    const backendDir = path.join(dir, ".state");
    fs.mkdirSync(backendDir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump({
        name: "istio-egress",
        description: `benchmark copy (${label})`,
        runtime: { name: "nodejs", options: { typescript: false } },
        main: "index.js",
    }));
    fs.writeFileSync(path.join(dir, "index.js"), `module.exports = require(${JSON.stringify(programJs)});\n`);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `istio-egress-bench-${label}`, private: true, main: "index.js" }));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const env: Record<string, string> = {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
        KUBECONFIG: kubeconfigPath,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    };
    const toolchain = toolchainDir();
    const pulumiRoot = fs.readdirSync(toolchain).find((d) => /^pulumi-v\d/.test(d) && !d.endsWith(".partial"));
    if (!pulumiRoot) {
        throw new Error(`no Pulumi CLI in ${toolchain}: run scripts/toolchain.sh`);
    }
    const pulumiCommand = await PulumiCommand.get({ root: path.join(toolchain, pulumiRoot), skipVersionCheck: true });
    const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand, envVars: env });
    return {
        dir,
        async stack(name, config) {
            fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), yaml.dump({ config }));
            return Stack.createOrSelect(name, ws);
        },
        cleanup() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

async function timed<T>(what: string, f: (onOutput: (s: string) => void) => Promise<T>): Promise<{ ms: number; value: T }> {
    let output = "";
    const t0 = performance.now();
    try {
        const value = await f((s) => { output = (output + s).slice(-8000); });
        return { ms: performance.now() - t0, value };
    } catch (e) {
        throw new Error(`${what} failed: ${(e as Error).message.slice(-2000)}\n${output.slice(-3000)}`);
    }
}

/**
 * One sample on a fresh cluster and a fresh project: preview, up, no-change preview. The cluster
 * is thrown away afterwards instead of destroying the stack (seconds instead of minutes, and the
 * next sample starts from an empty etcd whatever happened here).
 */
async function sample(variant: Variant, n: number, rep: number, track: Tracked): Promise<RealSample> {
    const cluster = await startCluster({ crdFile: CRDS });
    track.clusters.add(cluster);
    let project: BenchProject | undefined;
    try {
        for (const name of PREEXISTING_NAMESPACES) {
            await cluster.client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
        }
        project = await createBenchProject(cluster.kubeconfigPath, variant === "package" ? PACKAGE_PROGRAM : BASELINE_PROGRAM, variant);
        track.projects.add(project);
        const name = `${variant}-n${n}-r${rep}`;
        const stack = await project.stack(name, benchStackConfig(n));
        const preview = await timed(`${name}: pulumi preview`, (onOutput) => stack.preview({ onOutput }));
        const up = await timed(`${name}: pulumi up`, (onOutput) => stack.up({ onOutput }));
        const again = await timed(`${name}: pulumi preview (no changes)`, (onOutput) => stack.preview({ onOutput }));
        const changes = Object.entries(again.value.changeSummary).filter(([op, count]) => op !== "same" && (count ?? 0) > 0);
        if (changes.length > 0) {
            throw new Error(`${name}: the preview after up wants changes: ${JSON.stringify(again.value.changeSummary)}`);
        }
        return {
            variant, n, rep,
            previewMs: preview.ms, upMs: up.ms, noChangePreviewMs: again.ms,
            created: up.value.summary.resourceChanges?.create ?? 0,
        };
    } finally {
        if (project) {
            project.cleanup();
            track.projects.delete(project);
        }
        await cluster.stop();
        track.clusters.delete(cluster);
    }
}

interface Tracked {
    readonly clusters: Set<TestCluster>;
    readonly projects: Set<BenchProject>;
}

const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs every sample; never throws for a failed sample (it is recorded with its error). */
export async function runRealEngine(opts: RealEngineOptions): Promise<RealEngineResult> {
    const samples: RealSample[] = [];
    const notes: string[] = [];
    const track: Tracked = { clusters: new Set(), projects: new Set() };
    const cleanup = async () => {
        track.projects.forEach((p) => p.cleanup());
        for (const c of track.clusters) {
            await c.stop();
        }
    };
    const onSignal = () => {
        void cleanup().finally(() => process.exit(130));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        const runN = async (n: number, repeats: number) => {
            for (let rep = 0; rep < repeats; rep++) {
                // Alternate which side goes first, so drift on a shared machine hits both alike.
                const order: Variant[] = rep % 2 === 0 ? ["package", "baseline"] : ["baseline", "package"];
                for (const variant of order) {
                    let s: RealSample;
                    try {
                        s = await sample(variant, n, rep, track);
                    } catch (e) {
                        s = { variant, n, rep, error: (e as Error).message };
                    }
                    samples.push(s);
                    opts.log(s.error
                        ? `real engine: N=${n} ${variant} #${rep + 1}: ERROR ${s.error.split("\n")[0]}`
                        : `real engine: N=${n} ${variant} #${rep + 1}: preview ${sec(s.previewMs)}, up ${sec(s.upMs)}, no-change preview ${sec(s.noChangePreviewMs)} (${s.created} resources)`);
                }
            }
        };
        for (const n of opts.ns) {
            await runN(n, opts.repeats);
        }
        if (opts.try1000) {
            const at100 = samples.filter((s) => s.n === 100 && !s.error);
            const perSample = (v: Variant) => median(at100.filter((s) => s.variant === v).map((s) => (s.previewMs ?? 0) + (s.upMs ?? 0) + (s.noChangePreviewMs ?? 0)));
            const predicted = 10 * (perSample("package") + perSample("baseline"));
            if (!Number.isFinite(predicted)) {
                notes.push("N = 1000 with the real engine: not run (no N = 100 figures to predict its duration)");
            } else if (predicted > opts.budgetMs) {
                notes.push(`N = 1000 with the real engine: not run: predicted ${Math.round(predicted / 60_000)} min (10 × the N = 100 time) exceeds the ${Math.round(opts.budgetMs / 60_000)} min budget (--real-budget-min)`);
            } else {
                opts.log(`real engine: N=1000, one sample per side (predicted ${Math.round(predicted / 60_000)} min)`);
                await runN(1000, 1);
            }
        }
    } catch (e) {
        notes.push(`real engine: aborted: ${(e as Error).message.split("\n")[0]}`);
        opts.log(`real engine: aborted: ${(e as Error).message}`);
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        await cleanup();
    }
    return { samples, notes };
}

function sec(ms: number | undefined): string {
    return ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`;
}
