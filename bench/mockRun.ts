// One measurement, in a fresh process (run with node --expose-gc): evaluates one stack program
// under Pulumi's mocks for N destinations and prints one `BENCH_RESULT {json}` line.
//
//   node --expose-gc bin/bench/mockRun.js --variant package|baseline --n 100 [--footprint] [--profile out.json]
//
// Timed: from just before the program module is required to the moment every registration has
// reached the mocks (waitForRPCs). The libraries both programs share (@pulumi/pulumi,
// @pulumi/kubernetes) are loaded before the clock starts; the package's own modules (zod,
// @pulumi/tls, its components) load inside the timed span, as they do in a real `pulumi up`.
// --footprint also serialises every registered Kubernetes object to YAML (untimed numbers:
// the timing of a footprint run is not used). --profile records a CPU profile of the timed span
// (inspector) and writes its self time by category (profile.ts); its timing is not used either.
import * as fs from "node:fs";
import * as inspector from "node:inspector";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { categorise } from "./profile";
import { benchStackConfig, runtimeConfig } from "./workload";

export type Variant = "package" | "baseline";

export interface MockFootprint {
    /** Istio objects (networking.istio.io and security.istio.io) by kind. */
    readonly istioByKind: Record<string, number>;
    readonly istioObjects: number;
    /** YAML bytes of all Istio objects (js-yaml, one document each). */
    readonly istioYamlBytes: number;
    /** Of those, bytes spent on metadata.labels. */
    readonly istioLabelYamlBytes: number;
    /** YAML bytes of the Istio objects sidecars receive: no Gateways, no exportTo ["."] objects. */
    readonly sidecarYamlBytes: number;
    readonly networkPolicies: number;
    readonly networkPolicyYamlBytes: number;
    /** Istio objects that fail their CRD schema (unknown fields rejected); must be empty. */
    readonly schemaErrors: string[];
}

export interface MockResult {
    readonly variant: Variant;
    readonly n: number;
    /** Program evaluation: require + all registrations settled, ms. */
    readonly evalMs: number;
    /** The synchronous part (the program's top level, up to the end of require), ms. */
    readonly syncMs: number;
    /** Peak resident set size of the whole process, MB (process.resourceUsage().maxRSS). */
    readonly peakRssMb: number;
    /** RSS just before the program started (libraries loaded, after a GC), MB. */
    readonly startRssMb: number;
    /**
     * heapUsed after settling and a full GC, MB: what the program's resources and outputs still
     * hold. (A timer-sampled "peak heap" is not reported: the sampler cannot run while the
     * program registers synchronously, so it missed peaks unevenly.)
     */
    readonly retainedHeapMb?: number;
    /** Every resource registered (components, charts, Kubernetes objects). */
    readonly resources: number;
    /** Custom resources only (Kubernetes objects and the chart). */
    readonly customResources: number;
    /** Registrations by type token. */
    readonly byType: Record<string, number>;
    readonly footprint?: MockFootprint;
}

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
    const variant = arg("variant") as Variant;
    const n = Number(arg("n"));
    if ((variant !== "package" && variant !== "baseline") || !Number.isInteger(n) || n < 1) {
        throw new Error("usage: mockRun --variant package|baseline --n <destinations> [--footprint]");
    }
    const footprint = process.argv.includes("--footprint");
    const profileOut = arg("profile");

    // Shared libraries and the mocks first, outside the timed span.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@pulumi/kubernetes");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mocks = require("../test/helpers/mocks") as typeof import("../test/helpers/mocks");
    pulumi.runtime.setAllConfig(runtimeConfig(benchStackConfig(n)));
    const program = variant === "package" ? path.resolve(__dirname, "../index.js") : path.resolve(__dirname, "baselineStack.js");

    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const startRss = process.memoryUsage().rss;

    const session = profileOut ? await startProfiler() : undefined;
    const t0 = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(program);
    const t1 = performance.now();
    const registered = await mocks.settle();
    const t2 = performance.now();
    if (session && profileOut) {
        const profile = await post<{ profile: inspector.Profiler.Profile }>(session, "Profiler.stop");
        fs.writeFileSync(profileOut, JSON.stringify(categorise(profile.profile, path.resolve(__dirname, "../.."))));
        session.disconnect();
    }
    gc?.();
    const retainedHeap = process.memoryUsage().heapUsed;

    const byType: Record<string, number> = {};
    for (const r of registered) {
        byType[r.type] = (byType[r.type] ?? 0) + 1;
    }
    const result: MockResult = {
        variant,
        n,
        evalMs: t2 - t0,
        syncMs: t1 - t0,
        peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
        startRssMb: startRss / MB,
        retainedHeapMb: retainedHeap / MB,
        resources: registered.length,
        customResources: registered.filter((r) => r.custom).length,
        byType,
        ...(footprint ? { footprint: await measureFootprint(registered) } : {}),
    };
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

function post<T>(session: inspector.Session, method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => {
        session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T)));
    });
}

async function startProfiler(): Promise<inspector.Session> {
    const session = new inspector.Session();
    session.connect();
    await post(session, "Profiler.enable");
    await post(session, "Profiler.setSamplingInterval", { interval: 500 });
    await post(session, "Profiler.start");
    return session;
}

interface KubeInputs {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: { exportTo?: string[] };
}

async function measureFootprint(registered: { custom: boolean; inputs: Record<string, unknown> }[]): Promise<MockFootprint> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require("js-yaml") as typeof import("js-yaml");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { istioSchemaErrors } = require("../test/helpers/schemas") as typeof import("../test/helpers/schemas");
    const bytes = (o: unknown) => Buffer.byteLength(`---\n${yaml.dump(o, { noRefs: true, lineWidth: -1 })}`);
    const fp = {
        istioByKind: {} as Record<string, number>,
        istioObjects: 0,
        istioYamlBytes: 0,
        istioLabelYamlBytes: 0,
        sidecarYamlBytes: 0,
        networkPolicies: 0,
        networkPolicyYamlBytes: 0,
        schemaErrors: [] as string[],
    };
    for (const r of registered.filter((x) => x.custom)) {
        const o = r.inputs as KubeInputs;
        if (typeof o.kind !== "string" || typeof o.apiVersion !== "string") {
            continue; // the chart: rendered by the provider, the same on both sides, not counted here
        }
        if (o.apiVersion.startsWith("networking.istio.io/") || o.apiVersion.startsWith("security.istio.io/")) {
            fp.istioObjects++;
            fp.istioByKind[o.kind] = (fp.istioByKind[o.kind] ?? 0) + 1;
            const b = bytes(o);
            fp.istioYamlBytes += b;
            if (o.metadata?.labels) {
                const { labels: _labels, ...metadata } = o.metadata;
                fp.istioLabelYamlBytes += b - bytes({ ...o, metadata });
            }
            const exportTo = o.spec?.exportTo;
            // Sidecars never receive Gateways, the gateway's AuthorizationPolicies, or objects kept in their own namespace.
            if (o.kind !== "Gateway" && o.kind !== "AuthorizationPolicy" && !(exportTo && exportTo.length === 1 && exportTo[0] === ".")) {
                fp.sidecarYamlBytes += b;
            }
            fp.schemaErrors.push(
                ...istioSchemaErrors(o as { apiVersion: string; kind: string }).map((e) => `${o.kind}/${o.metadata?.name}: ${e}`),
            );
        } else if (o.kind === "NetworkPolicy") {
            fp.networkPolicies++;
            fp.networkPolicyYamlBytes += bytes(o);
        }
    }
    return fp;
}

main().then(
    () => process.exit(0),
    (e: unknown) => {
        process.stderr.write(`mockRun failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
    },
);
