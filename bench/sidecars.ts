import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Variant } from "./mockRun";
import { registered } from "./programs";
import { MEASURED_CLIENT, REPO_ROOT, scopedStackConfig } from "./workload";

// Sidecar configuration footprint: what Istio's own config generator (the simulation suite's
// fake discovery server, test/xds/footprint_test.go) sends to a client sidecar in
// MEASURED_CLIENT, which may use 10 of the N destinations, and to the egress gateway.

/** One proxy's configuration, as TestFootprint reports it. */
export interface ProxyFootprint {
    readonly case: string;
    readonly proxy: "sidecar" | "gateway";
    readonly clusters: number;
    readonly listeners: number;
    readonly routes: number;
    readonly virtualHosts: number;
    readonly clusterBytes: number;
    readonly listenerBytes: number;
    readonly routeBytes: number;
    readonly totalBytes: number;
    readonly ms: number;
}

/** The cases for N: the package and the baseline with N destinations, and the package with only the client's 10. */
export function footprintCases(ns: number[]): { name: string; variant: Variant; config: Record<string, unknown> }[] {
    return [
        { name: "only-10", variant: "package" as Variant, config: scopedStackConfig(10) },
        ...ns.flatMap((n) =>
            (["package", "baseline"] as Variant[]).map((variant) => ({ name: `${variant}-n${n}`, variant, config: scopedStackConfig(n) })),
        ),
    ];
}

/** Renders every case under mocks, then runs the Go footprint once over all of them. */
export async function measureFootprints(ns: number[]): Promise<ProxyFootprint[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "istio-egress-footprint-"));
    try {
        const cases = [];
        for (const c of footprintCases(ns)) {
            const file = path.join(dir, `${c.name}.json`);
            fs.writeFileSync(file, JSON.stringify(await registered(c.variant, c.name, c.config)));
            cases.push({ case: c.name, file, client: MEASURED_CLIENT });
        }
        fs.writeFileSync(path.join(dir, "cases.json"), JSON.stringify(cases));
        // The simulation suite's own runner (its Go caches and flags); it also rebuilds and renders the example stacks.
        execFileSync(path.join(REPO_ROOT, "scripts/xds.sh"), ["-run", "^TestFootprint$"], {
            cwd: REPO_ROOT,
            stdio: ["ignore", "ignore", "inherit"],
            env: { ...process.env, FOOTPRINT_CASES: path.join(dir, "cases.json"), FOOTPRINT_OUT: path.join(dir, "out.json") },
            timeout: 60 * 60_000,
        });
        return JSON.parse(fs.readFileSync(path.join(dir, "out.json"), "utf8")) as ProxyFootprint[];
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
