import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { startCluster, TestCluster } from "../test/e2e/support/cluster";
import { createProject, E2eProject, TEST_STACK_PROGRAM } from "../test/e2e/support/pulumiProject";
import { Variant } from "./mockRun";
import { benchStackConfig, PREEXISTING_NAMESPACES, REPO_ROOT } from "./workload";

// The real engine: the Pulumi CLI, the Node.js language host and the kubernetes provider plugin
// from the toolchain, against the e2e harness's throw-away kube-apiserver (with Istio's CRDs).
// Per sample a fresh cluster and a fresh temporary project (local file backend): `pulumi
// preview` (everything to create), `pulumi up`, `pulumi preview` again (no changes: the
// pull-request case), each timed by wall clock around the Automation API call (CLI start,
// plugins, program, engine and API server all included).

/** The package: the repository's stack program (index.ts) with the e2e skipAwait transform. */
const PACKAGE_PROGRAM = TEST_STACK_PROGRAM;
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
    /** Size of the stack's checkpoint after up (file backend), bytes. */
    readonly stateBytes?: number;
    /** Of the resources' entries in it (JSON bytes), how much is registration stack traces (stackTrace, sourcePosition). */
    readonly stateStackTraceBytes?: number;
    /** The sample ran out of its time cap: this operation was interrupted (SIGINT) after afterMs. */
    readonly aborted?: { op: "previewMs" | "upMs" | "noChangePreviewMs"; afterMs: number; resourcesInState?: number; expected?: number };
    readonly error?: string;
}

export interface RealEngineOptions {
    readonly ns: number[];
    readonly repeats: number;
    /**
     * Also run N = 1000, one sample per side, when 10 × the N = 100 time (a lower bound: growth is
     * not linear) fits in budgetMs. Each side then gets budgetMs / 2; an operation still running
     * at its side's deadline is interrupted and reported as a lower bound.
     */
    readonly try1000: boolean;
    readonly budgetMs: number;
    readonly log: (line: string) => void;
}

export interface RealEngineResult {
    readonly samples: RealSample[];
    readonly notes: string[];
}

type BenchProject = E2eProject;

/** A temporary Pulumi project (the e2e one) running `programJs`. */
function createBenchProject(kubeconfigPath: string, programJs: string, label: string): Promise<BenchProject> {
    return createProject(kubeconfigPath, { programJs, label: `bench-${label}` });
}

class Aborted extends Error {
    constructor(readonly afterMs: number) {
        super(`interrupted after ${Math.round(afterMs / 1000)} s (time cap)`);
    }
}

/** Runs one Automation API call, timed; interrupts it (SIGINT to the CLI) at the deadline. */
async function timed<T>(
    what: string,
    deadline: number,
    f: (onOutput: (s: string) => void, signal: AbortSignal) => Promise<T>,
): Promise<{ ms: number; value: T }> {
    let output = "";
    const t0 = performance.now();
    const controller = new AbortController();
    let fired = false;
    const timer = Number.isFinite(deadline)
        ? setTimeout(
              () => {
                  fired = true;
                  controller.abort();
              },
              Math.max(0, deadline - t0),
          )
        : undefined;
    try {
        const value = await f((s) => {
            output = (output + s).slice(-8000);
        }, controller.signal);
        return { ms: performance.now() - t0, value };
    } catch (e) {
        if (fired) {
            throw new Aborted(performance.now() - t0);
        }
        throw new Error(`${what} failed: ${(e as Error).message.slice(-2000)}\n${output.slice(-3000)}`);
    } finally {
        clearTimeout(timer);
    }
}

const checkpointFile = (project: BenchProject, stackName: string) =>
    path.join(project.backendDir, ".pulumi/stacks/istio-egress", `${stackName}.json`);

/** The checkpoint's size, and the JSON bytes of the resources' registration stack traces in it. */
function stateSize(project: BenchProject, stackName: string): { stateBytes?: number; stateStackTraceBytes?: number } {
    try {
        const file = checkpointFile(project, stackName);
        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint?: { latest?: { resources?: Record<string, unknown>[] } } };
        const traces = (doc.checkpoint?.latest?.resources ?? []).reduce(
            (n, r) => n + JSON.stringify(r.stackTrace ?? "").length + JSON.stringify(r.sourcePosition ?? "").length,
            0,
        );
        return { stateBytes: fs.statSync(file).size, stateStackTraceBytes: traces };
    } catch {
        return {};
    }
}

/** How many resources the stack's checkpoint holds (file backend), for an interrupted up. */
function resourcesInState(project: BenchProject, stackName: string): number | undefined {
    try {
        const file = checkpointFile(project, stackName);
        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint?: { latest?: { resources?: unknown[] } } };
        return doc.checkpoint?.latest?.resources?.length;
    } catch {
        return undefined;
    }
}

/**
 * One sample on a fresh cluster and a fresh project: preview, up, no-change preview. The cluster
 * is thrown away afterwards instead of destroying the stack (seconds instead of minutes, and the
 * next sample starts from an empty etcd whatever happened here). With capMs, the three
 * operations together get that long; the one running at the deadline is interrupted.
 */
export async function sample(
    variant: Variant,
    n: number,
    rep: number,
    track: Tracked,
    capMs = Infinity,
    expected?: number,
): Promise<RealSample> {
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
        const deadline = performance.now() + capMs;
        const done: Partial<Record<"previewMs" | "upMs" | "noChangePreviewMs", number>> = {};
        let op: "previewMs" | "upMs" | "noChangePreviewMs" = "previewMs";
        try {
            const preview = await timed(`${name}: pulumi preview`, deadline, (onOutput, signal) => stack.preview({ onOutput, signal }));
            done.previewMs = preview.ms;
            op = "upMs";
            const up = await timed(`${name}: pulumi up`, deadline, (onOutput, signal) => stack.up({ onOutput, signal }));
            done.upMs = up.ms;
            const size = stateSize(project, name);
            op = "noChangePreviewMs";
            const again = await timed(`${name}: pulumi preview (no changes)`, deadline, (onOutput, signal) =>
                stack.preview({ onOutput, signal }),
            );
            const changes = Object.entries(again.value.changeSummary).filter(([o, count]) => o !== "same" && (count ?? 0) > 0);
            if (changes.length > 0) {
                throw new Error(`${name}: the preview after up wants changes: ${JSON.stringify(again.value.changeSummary)}`);
            }
            return {
                variant,
                n,
                rep,
                previewMs: preview.ms,
                upMs: up.ms,
                noChangePreviewMs: again.ms,
                created: up.value.summary.resourceChanges?.create ?? 0,
                ...size,
            };
        } catch (e) {
            if (!(e instanceof Aborted)) {
                throw e;
            }
            return {
                variant,
                n,
                rep,
                ...done,
                aborted: { op, afterMs: e.afterMs, resourcesInState: resourcesInState(project, name), expected },
            };
        }
    } finally {
        if (project) {
            project.cleanup();
            track.projects.delete(project);
        }
        await cluster.stop();
        track.clusters.delete(cluster);
    }
}

export interface Tracked {
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
        const runN = async (n: number, repeats: number, capMs?: number, expected: Partial<Record<Variant, number>> = {}) => {
            for (let rep = 0; rep < repeats; rep++) {
                // Alternate which side goes first, so drift on a shared machine hits both alike.
                const order: Variant[] = rep % 2 === 0 ? ["package", "baseline"] : ["baseline", "package"];
                for (const variant of order) {
                    let s: RealSample;
                    try {
                        s = await sample(variant, n, rep, track, capMs, expected[variant]);
                    } catch (e) {
                        s = { variant, n, rep, error: (e as Error).message };
                    }
                    samples.push(s);
                    opts.log(
                        s.error
                            ? `real engine: N=${n} ${variant} #${rep + 1}: ERROR ${s.error.split("\n")[0]}`
                            : s.aborted
                              ? `real engine: N=${n} ${variant} #${rep + 1}: preview ${sec(s.previewMs)}, up ${sec(s.upMs)}; ${s.aborted.op} interrupted at the time cap after ${sec(s.aborted.afterMs)} (${s.aborted.resourcesInState ?? "?"} resources in the state)`
                              : `real engine: N=${n} ${variant} #${rep + 1}: preview ${sec(s.previewMs)}, up ${sec(s.upMs)}, no-change preview ${sec(s.noChangePreviewMs)} (${s.created} resources)`,
                    );
                }
            }
        };
        for (const n of opts.ns) {
            await runN(n, opts.repeats);
        }
        if (opts.try1000) {
            const at100 = samples.filter((s) => s.n === 100 && !s.error && !s.aborted);
            const perSample = (v: Variant) =>
                median(at100.filter((s) => s.variant === v).map((s) => (s.previewMs ?? 0) + (s.upMs ?? 0) + (s.noChangePreviewMs ?? 0)));
            const predicted = 10 * (perSample("package") + perSample("baseline"));
            // Resources grow by the same amount per destination: extrapolate the N = 10 → 100 slope.
            const expectedAt1000: Partial<Record<Variant, number>> = {};
            for (const v of ["package", "baseline"] as Variant[]) {
                const c10 = samples.find((s) => s.n === 10 && s.variant === v && s.created)?.created;
                const c100 = samples.find((s) => s.n === 100 && s.variant === v && s.created)?.created;
                if (c10 !== undefined && c100 !== undefined) {
                    expectedAt1000[v] = c100 + ((c100 - c10) / 90) * 900;
                }
            }
            const budget = `${Math.round(opts.budgetMs / 60_000)} min`;
            if (!Number.isFinite(predicted)) {
                notes.push("N = 1000 with the real engine: not run (no N = 100 figures to predict its duration)");
            } else if (predicted > opts.budgetMs) {
                notes.push(
                    `N = 1000 with the real engine: not run: even a linear extrapolation (10 × the N = 100 time, ${Math.round(predicted / 60_000)} min) exceeds the ${budget} budget (--real-budget-min)`,
                );
            } else {
                opts.log(
                    `real engine: N=1000, one sample per side, each capped at ${Math.round(opts.budgetMs / 120_000)} min (--real-budget-min ${Math.round(opts.budgetMs / 60_000)})`,
                );
                notes.push(
                    `N = 1000 with the real engine: one sample per side, each side capped at ${Math.round(opts.budgetMs / 120_000)} min (half the ${budget} budget, --real-budget-min); an operation still running at the cap is interrupted and its time is a lower bound`,
                );
                await runN(1000, 1, opts.budgetMs / 2, expectedAt1000);
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
