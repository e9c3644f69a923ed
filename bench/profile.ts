import type * as inspector from "node:inspector";

// Where program evaluation spends its time: a V8 CPU profile's self time, summed by who owns
// the code (the Pulumi SDK, gRPC/protobuf, zod, the package, the mocks, Node.js itself, GC).

export interface ProfileSummary {
    /** Profiled wall time, ms. */
    readonly totalMs: number;
    /** Self time by category, ms. */
    readonly categories: Record<string, number>;
    /** The functions with the most self time: "name (file:line)", category, ms. */
    readonly top: { fn: string; category: string; ms: number }[];
}

export const CATEGORIES = {
    sdk: "Pulumi SDK (resources, outputs, RPC plumbing)",
    k8s: "@pulumi/kubernetes (resource classes)",
    rpc: "gRPC / protobuf serialisation",
    zod: "zod (validation)",
    pkg: "package code (components, builders)",
    bench: "baseline program / benchmark code",
    mocks: "mocks (test harness)",
    libs: "other libraries",
    load: "module loading (require, compile)",
    node: "Node.js internals",
    gc: "garbage collection",
    idle: "idle / native / unattributed",
} as const;

function category(url: string, fn: string, repoRoot: string): string {
    if (fn === "(garbage collector)") {
        return CATEGORIES.gc;
    }
    if (url === "" || fn === "(program)" || fn === "(idle)") {
        return CATEGORIES.idle;
    }
    if (url.startsWith("node:internal/modules/")) {
        return CATEGORIES.load;
    }
    if (url.startsWith("node:")) {
        return CATEGORIES.node;
    }
    const at = url.replace(/^file:\/\//, "");
    if (at.includes("/node_modules/")) {
        if (at.includes("/node_modules/@pulumi/pulumi/")) {
            return CATEGORIES.sdk;
        }
        if (at.includes("/node_modules/@pulumi/kubernetes/") || at.includes("/node_modules/@pulumi/tls/")) {
            return CATEGORIES.k8s;
        }
        if (
            at.includes("/node_modules/@grpc/") ||
            at.includes("/node_modules/google-protobuf/") ||
            at.includes("/node_modules/protobufjs/")
        ) {
            return CATEGORIES.rpc;
        }
        if (at.includes("/node_modules/zod/")) {
            return CATEGORIES.zod;
        }
        return CATEGORIES.libs;
    }
    if (at.startsWith(`${repoRoot}/bin/test/`)) {
        return CATEGORIES.mocks;
    }
    if (at.startsWith(`${repoRoot}/bin/bench/`)) {
        return CATEGORIES.bench;
    }
    if (at.startsWith(`${repoRoot}/bin/`)) {
        return CATEGORIES.pkg;
    }
    return CATEGORIES.libs;
}

export function categorise(profile: inspector.Profiler.Profile, repoRoot: string): ProfileSummary {
    const totalMs = (profile.endTime - profile.startTime) / 1000;
    const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
    const msPerHit = hits > 0 ? totalMs / hits : 0;
    const categories: Record<string, number> = {};
    const byFn = new Map<string, { category: string; ms: number }>();
    for (const node of profile.nodes) {
        const ms = (node.hitCount ?? 0) * msPerHit;
        if (ms === 0) {
            continue;
        }
        const { url, functionName, lineNumber } = node.callFrame;
        const cat = category(url, functionName, repoRoot);
        categories[cat] = (categories[cat] ?? 0) + ms;
        const file = url
            .replace(/^file:\/\//, "")
            .replace(`${repoRoot}/`, "")
            .replace(/^.*\/node_modules\//, "");
        const key = `${functionName || "(anonymous)"} (${file || "native"}${url ? `:${lineNumber + 1}` : ""})`;
        const cur = byFn.get(key) ?? { category: cat, ms: 0 };
        cur.ms += ms;
        byFn.set(key, cur);
    }
    const top = [...byFn.entries()]
        .map(([fn, v]) => ({ fn, category: v.category, ms: v.ms }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 10);
    return { totalMs, categories, top };
}
