import { renderStack } from "./renderStack";

// npm run render -- <stack> <dir> [--include-secrets] [--gateway-chart <dir>]

const USAGE = "usage: npm run render -- <stack> <dir> [--include-secrets] [--gateway-chart <dir>]";

async function main(argv: string[]): Promise<void> {
    const positional: string[] = [];
    let includeSecrets = false;
    let gatewayChart: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i] as string;
        if (a === "--include-secrets") {
            includeSecrets = true;
        } else if (a === "--gateway-chart") {
            gatewayChart = argv[++i];
        } else if (a.startsWith("-")) {
            throw new Error(`unknown option ${a}\n${USAGE}`);
        } else {
            positional.push(a);
        }
    }
    const [stack, outDir] = positional;
    if (stack === undefined || outDir === undefined || positional.length > 2) {
        throw new Error(USAGE);
    }
    const r = await renderStack({ stack, outDir, includeSecrets, gatewayChart, pulumi: process.env.PULUMI_CLI ?? "pulumi" });
    console.log(`wrote ${r.files.length} manifests to ${outDir}/1-manifest`);
    if (r.omittedSecrets.length > 0) {
        console.log(
            `left out ${r.omittedSecrets.length} Secret(s), to come from your secret manager under these names: ${r.omittedSecrets.join(", ")}`,
        );
    }
    if (r.writtenSecrets.length > 0) {
        console.warn(
            `WARNING: ${r.writtenSecrets.length} Secret(s) written IN PLAIN TEXT (private keys): ${r.writtenSecrets.join(", ")}. ` +
                "Do not commit them to Git as they are: encrypt them (SOPS, Sealed Secrets) or leave them out and use a secret manager.",
        );
    }
}

main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`render: ${e.message}`);
    process.exit(1);
});
