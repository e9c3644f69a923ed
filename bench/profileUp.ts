// Scratch (not committed): pulumi up via the CLI with --profiling, N = 1000, skip checkpoints.
import * as path from "node:path";
import { startCluster } from "../test/e2e/support/cluster";
import { createProject, TEST_STACK_PROGRAM } from "../test/e2e/support/pulumiProject";
import { loadToolchain } from "./toolchain";
import { benchStackConfig, PREEXISTING_NAMESPACES, REPO_ROOT } from "./workload";
import { performance } from "node:perf_hooks";

async function main() {
    loadToolchain();
    const n = Number(process.argv[2] ?? "1000");
    const extra = process.argv.slice(3);
    const cluster = await startCluster({ crdFile: path.resolve(REPO_ROOT, "../shared/istio/crd-all.gen.yaml") });
    try {
        for (const name of PREEXISTING_NAMESPACES) {
            await cluster.client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
        }
        const project = await createProject(cluster.kubeconfigPath, {
            programJs: TEST_STACK_PROGRAM,
            label: "prof",
            env: { PULUMI_SKIP_CHECKPOINTS: "true" },
        });
        await project.stack("p", benchStackConfig(n));
        const t0 = performance.now();
        await project.cli(["up", "--yes", "--skip-preview", "--stack", "p", ...extra]);
        console.log(`up ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        const t1 = performance.now();
        await project.cli(["preview", "--stack", "p", ...extra.map((a) => a.replace("/up", "/preview"))]);
        console.log(`no-change preview ${((performance.now() - t1) / 1000).toFixed(1)} s`);
        project.cleanup();
    } finally {
        await cluster.stop();
    }
}
main().catch((e) => {
    console.error(e);
    process.exit(1);
});
