import * as path from "node:path";

// The benchmark's workload: N external destinations in a fixed, realistic mix, and
// NetworkPolicies for 10 application namespaces, written once as stack config. The package's
// stack program (index.ts) and the hand-written baseline (baselineStack.ts) read the very same
// config, so both sides deploy the same destinations.

/** The repository root (this file compiles to bin/bench/workload.js). */
export const REPO_ROOT = path.resolve(__dirname, "../..");

/** The local copy of Istio's gateway chart, installed by both sides (the chart repo is unreachable). */
export const LOCAL_CHART = path.join(REPO_ROOT, "charts/gateway");

/** Application namespaces that get a NetworkPolicy (S14). */
export const APP_NAMESPACES = Array.from({ length: 10 }, (_, i) => `team-${String(i + 1).padStart(2, "0")}`);

/** Namespaces the real-engine cluster must have before either program runs. */
export const PREEXISTING_NAMESPACES = ["istio-system", ...APP_NAMESPACES];

export type DestinationKind = "http" | "passthrough" | "origination";

/** One destination as stack config (`istio-egress:destinations[i]`). */
export interface BenchDestination {
    name: string;
    host: string;
    protocol: "HTTP" | "TLS";
    port?: number;
    tls?: { mode: "SIMPLE" };
}

/**
 * The mix, by position: 2 in 5 plain HTTP, 2 in 5 TLS passthrough (the app does TLS), 1 in 5
 * TLS origination at the gateway (the app sends HTTP, the gateway opens TLS). Hosts are spread
 * over 37 vendor domains so names and hosts look like a real inventory, not one repeated string.
 */
export function destinationKind(i: number): DestinationKind {
    const r = i % 5;
    return r < 2 ? "http" : r < 4 ? "passthrough" : "origination";
}

export function benchDestinations(n: number): BenchDestination[] {
    return Array.from({ length: n }, (_, i): BenchDestination => {
        const id = String(i + 1).padStart(4, "0");
        const host = `api-${id}.vendor-${String(i % 37).padStart(2, "0")}.example.com`;
        switch (destinationKind(i)) {
            case "http":
                return { name: `ext-${id}`, host, protocol: "HTTP" };
            case "passthrough":
                return { name: `ext-${id}`, host, protocol: "TLS", port: 443 };
            case "origination":
                return { name: `ext-${id}`, host, protocol: "HTTP", tls: { mode: "SIMPLE" } };
        }
    });
}

/** The stack config (`config:` map of a Pulumi.<stack>.yaml) for N destinations. */
export function benchStackConfig(n: number): Record<string, unknown> {
    return {
        "istio-egress:gateway": { chart: { chart: LOCAL_CHART } },
        "istio-egress:destinations": benchDestinations(n),
        // Access control as a platform team would set it: the application namespaces may leave.
        "istio-egress:defaultAllowedSources": { namespaces: APP_NAMESPACES },
        "istio-egress:networkPolicies": { namespaces: APP_NAMESPACES },
    };
}

/** The same config as the runtime holds it (`pulumi.runtime.setAllConfig`): values are JSON strings. */
export function runtimeConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** How many destinations of each kind N has. */
export function mixOf(n: number): Record<DestinationKind, number> {
    const out: Record<DestinationKind, number> = { http: 0, passthrough: 0, origination: 0 };
    for (let i = 0; i < n; i++) {
        out[destinationKind(i)]++;
    }
    return out;
}

/** The client namespace whose sidecar the footprint measures: allowed the first 10 destinations. */
export const MEASURED_CLIENT = APP_NAMESPACES[0] as string;

/**
 * The footprint workload: the same N destinations, each allowed one namespace: the first 10 to
 * MEASURED_CLIENT, the rest round-robin to the other nine. `only` keeps the first k (the mesh
 * that holds only what the measured client may use).
 */
export function scopedStackConfig(n: number, only = n): Record<string, unknown> {
    const others = APP_NAMESPACES.slice(1);
    const destinations = benchDestinations(n)
        .slice(0, only)
        .map((d, i) => ({
            ...d,
            allowedSources: { namespaces: [i < 10 ? MEASURED_CLIENT : (others[(i - 10) % others.length] as string)] },
        }));
    const { "istio-egress:defaultAllowedSources": _everyTeam, ...rest } = benchStackConfig(n);
    return { ...rest, "istio-egress:destinations": destinations };
}
