import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { startCluster, TestCluster } from "../test/e2e/support/cluster";
import { createProject, E2eProject, TEST_STACK_PROGRAM } from "../test/e2e/support/pulumiProject";
import { Variant } from "./mockRun";
import { benchStackConfig, PREEXISTING_NAMESPACES, REPO_ROOT } from "./workload";

// The real engine: the Pulumi CLI, the Node.js language host and the kubernetes provider plugin
// from the toolchain, against the e2e harness's throw-away kube-apiserver (with Istio's CRDs).
// One sample = a fresh cluster and a fresh project (local file backend): `pulumi preview` (all
// to create), `pulumi up`, `pulumi preview` again (no changes: what a pull request shows), each
// timed by wall clock around the Automation API call (CLI, plugins, program, engine, API server).

const PROGRAMS: Record<Variant, string> = {
    /** The repository's stack program (index.ts) with the e2e skipAwait transform. */
    package: TEST_STACK_PROGRAM,
    /** bench/baselineStack.ts with the same transform. */
    baseline: path.join(REPO_ROOT, "bin/bench/baselineProgram.js"),
};
const CRDS = path.resolve(REPO_ROOT, "../shared/istio/crd-all.gen.yaml");

/** The engine's own levers: environment, `--parallel`, project config (the provider's settings). */
export interface EngineSettings {
    readonly label: string;
    readonly env: Record<string, string>;
    readonly parallel?: number;
    readonly projectConfig?: Record<string, unknown>;
}

/** What the README recommends for large stacks on a DIY backend (with the repository's Pulumi.yaml: provider client at 200 requests/s). */
export const RECOMMENDED: EngineSettings = { label: "PULUMI_SKIP_CHECKPOINTS=true", env: { PULUMI_SKIP_CHECKPOINTS: "true" } };
/** The CLI's defaults: a checkpoint after every step, --parallel 4 × cores. */
export const ENGINE_DEFAULTS: EngineSettings = { label: "CLI defaults (a checkpoint after every step)", env: {} };
/** The kubernetes provider's client at its defaults (50 requests/s, burst 120) instead of the repository's 200 / 400. */
export const PROVIDER_CLIENT_DEFAULTS: EngineSettings = {
    label: `${RECOMMENDED.label}, provider client at its defaults (qps 50, burst 120)`,
    env: RECOMMENDED.env,
    projectConfig: { "kubernetes:kubeClientSettings": { value: { qps: 50, burst: 120 } } },
};

export type RealOp = "previewMs" | "upMs" | "noChangePreviewMs";

export interface RealSample {
    readonly variant: Variant;
    readonly n: number;
    readonly settings: string;
    readonly previewMs?: number;
    readonly upMs?: number;
    readonly noChangePreviewMs?: number;
    /** Resources `pulumi up` created (stack, provider, components, chart objects, …). */
    readonly created?: number;
    /** The operation that hit the sample's time cap, interrupted after afterMs: a lower bound. */
    readonly capped?: { op: RealOp; afterMs: number };
    readonly error?: string;
}

const live = { clusters: new Set<TestCluster>(), projects: new Set<E2eProject>() };

/** Stops whatever samples left running (on SIGINT/SIGTERM, or after a crash). */
export async function stopAll(): Promise<void> {
    live.projects.forEach((p) => p.cleanup());
    for (const c of live.clusters) {
        await c.stop();
    }
}

/** The operation running at the sample's time cap, interrupted after afterMs. */
class Capped extends Error {
    constructor(readonly afterMs: number) {
        super(`interrupted at the time cap after ${Math.round(afterMs / 1000)} s`);
    }
}

/** Runs one Automation API call, timed; interrupts it (SIGINT to the CLI) at the deadline. */
async function timed<T>(what: string, deadline: number, f: (signal: AbortSignal, onOutput: (s: string) => void) => Promise<T>) {
    let output = "";
    const controller = new AbortController();
    const t0 = performance.now();
    const timer = setTimeout(() => controller.abort(), Math.max(0, Math.min(deadline - t0, 2 ** 31 - 1)));
    try {
        const value = await f(controller.signal, (s) => (output = (output + s).slice(-4000)));
        return { ms: performance.now() - t0, value };
    } catch (e) {
        throw controller.signal.aborted
            ? new Capped(performance.now() - t0)
            : new Error(`${what}: ${(e as Error).message.slice(-1500)}\n${output.slice(-2000)}`);
    } finally {
        clearTimeout(timer);
    }
}

/** One sample. The cluster is thrown away afterwards instead of destroying the stack. */
export async function sample(variant: Variant, n: number, settings: EngineSettings, capMs = Infinity): Promise<RealSample> {
    const cluster = await startCluster({ crdFiles: [CRDS] });
    live.clusters.add(cluster);
    let project: E2eProject | undefined;
    const result: { -readonly [K in keyof RealSample]: RealSample[K] } = { variant, n, settings: settings.label };
    let op: RealOp = "previewMs";
    try {
        for (const name of PREEXISTING_NAMESPACES) {
            await cluster.client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
        }
        project = await createProject(cluster.kubeconfigPath, {
            programJs: PROGRAMS[variant],
            label: `bench-${variant}`,
            env: settings.env,
            projectConfig: settings.projectConfig,
        });
        live.projects.add(project);
        const stack = await project.stack(`${variant}-n${n}`, benchStackConfig(n));
        const parallel = settings.parallel;
        const deadline = performance.now() + capMs;
        result.previewMs = (await timed("preview", deadline, (signal, onOutput) => stack.preview({ signal, onOutput, parallel }))).ms;
        op = "upMs";
        const up = await timed("up", deadline, (signal, onOutput) => stack.up({ signal, onOutput, parallel }));
        result.upMs = up.ms;
        result.created = up.value.summary.resourceChanges?.create ?? 0;
        op = "noChangePreviewMs";
        const again = await timed("preview (no changes)", deadline, (signal, onOutput) => stack.preview({ signal, onOutput, parallel }));
        const changes = Object.entries(again.value.changeSummary).filter(([o, count]) => o !== "same" && (count ?? 0) > 0);
        if (changes.length > 0) {
            throw new Error(`the preview after up wants changes: ${JSON.stringify(again.value.changeSummary)}`);
        }
        result.noChangePreviewMs = again.ms;
    } catch (e) {
        if (e instanceof Capped) {
            result.capped = { op, afterMs: e.afterMs };
        } else {
            result.error = (e as Error).message;
        }
    } finally {
        if (project) {
            project.cleanup();
            live.projects.delete(project);
        }
        await cluster.stop();
        live.clusters.delete(cluster);
    }
    return result;
}

/** Seconds with one decimal, or "–". */
export function sec(ms: number | undefined): string {
    return ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`;
}

export function describeSample(s: RealSample): string {
    const head = `${s.variant} N=${s.n} [${s.settings}]`;
    if (s.error) {
        return `${head}: ERROR ${s.error.split("\n")[0]}`;
    }
    const capped = s.capped ? `; ${s.capped.op} capped after ${sec(s.capped.afterMs)}` : "";
    return `${head}: preview ${sec(s.previewMs)}, up ${sec(s.upMs)}, no-change preview ${sec(s.noChangePreviewMs)}${capped}`;
}
