import { exampleStackConfig, withLocalChart } from "./pulumiProject";
import { describeObject, liveObject, stateObjects } from "./stackObjects";
import { e2e, startE2e, stopE2e } from "./suite";

// `npm run up:local -- <stack> [--keep]`: the main job on a machine without a cluster. Starts the
// e2e control plane on loopback, runs the real `pulumi up` of stacks/Pulumi.<stack>.yaml (with the
// local gateway chart, and skipAwait since no Pods run), lists what the API server now holds,
// then destroys it all, or with --keep waits for Ctrl-C first.

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const name = args.find((a) => !a.startsWith("--")) ?? "s06-gateway-mutual-origination";
    const keep = args.includes("--keep");
    await startE2e();
    try {
        const { cluster, project } = e2e();
        console.log(`control plane: ${cluster.server} (KUBECONFIG=${cluster.kubeconfigPath})`);
        const stack = await project.stack(name, withLocalChart(exampleStackConfig(name)));
        await stack.up({ onOutput: (s) => process.stdout.write(s) });
        console.log("\nobjects in the API server:");
        for (const o of await stateObjects(stack)) {
            const live = await liveObject(cluster.client, o);
            console.log(`  ${live ? "✔" : "✘ missing"} ${describeObject(o)}`);
        }
        if (keep) {
            console.log(`\nkept running: KUBECONFIG=${cluster.kubeconfigPath}; Ctrl-C destroys the stack and stops it`);
            await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
        }
        await stack.destroy({ onOutput: (s) => process.stdout.write(s) });
    } finally {
        await stopE2e();
    }
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
