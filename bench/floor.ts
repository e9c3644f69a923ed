// npm run bench:floor [-- --n 100,1000] [--parallel 8]
//
// The floor under `pulumi up`: the Kubernetes objects a stack program registers for the
// benchmark's workload (bench/workload.ts), server-side applied straight to the e2e harness's
// API server, as `kubectl apply --server-side` or a GitOps tool would, on a fresh cluster. The
// chart's few objects are left out (they come from Helm either way). Prints figures, exits 0.
import { performance } from "node:perf_hooks";
import * as path from "node:path";
import { startCluster } from "../test/e2e/support/cluster";
import { KubeObject } from "../test/e2e/support/kubeClient";
import { RenderedObject } from "../test/helpers/stackProgram";
import { registered } from "./programs";
import { benchStackConfig, PREEXISTING_NAMESPACES, REPO_ROOT } from "./workload";

const CRDS = path.resolve(REPO_ROOT, "../shared/istio/crd-all.gen.yaml");

/** Applies every object with at most `parallel` requests in flight; returns the wall time in ms. */
export async function floorMs(objects: RenderedObject[], parallel: number): Promise<number> {
    const cluster = await startCluster({ crdFiles: [CRDS] });
    try {
        for (const name of PREEXISTING_NAMESPACES) {
            await cluster.client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
        }
        // Discovery (the plural of each kind) once, outside the timing, as a client's cache would hold it.
        for (const o of objects) {
            await cluster.client.objectPath(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
        }
        let next = 0;
        const start = performance.now();
        const worker = async () => {
            while (next < objects.length) {
                const o = objects[next++] as RenderedObject;
                await cluster.client.apply(o as unknown as KubeObject, "istio-egress-floor");
            }
        };
        await Promise.all(Array.from({ length: parallel }, worker));
        return performance.now() - start;
    } finally {
        await cluster.stop();
    }
}

async function main(argv: string[]): Promise<void> {
    const value = (flag: string) => (argv.indexOf(flag) >= 0 ? argv[argv.indexOf(flag) + 1] : undefined);
    const ns = (value("--n") ?? "100,1000").split(",").map(Number);
    const parallel = Number(value("--parallel") ?? "8");
    console.log("N\tobjects\tone at a time\t" + `${parallel} in flight`);
    for (const n of ns) {
        const { objects } = await registered("package", `bench-${n}`, benchStackConfig(n));
        const serial = await floorMs(objects, 1);
        const concurrent = await floorMs(objects, parallel);
        console.log(`${n}\t${objects.length}\t${(serial / 1000).toFixed(1)} s\t${(concurrent / 1000).toFixed(1)} s`);
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`bench:floor: ${e.message}`);
        process.exit(1);
    });
}
