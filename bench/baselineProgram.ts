// The baseline for the real engine: the hand-written stack (baselineStack.ts) plus the same
// skipAwait transform the e2e test stack adds to the package's program
// (test/e2e/program/testStack.ts). The harness has no kubelet, so Pods never become ready and
// awaiting them would hang; both sides skip the await, so the comparison stays fair.
import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.registerResourceTransform((args) => {
    if (!args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:helm.sh/") || args.custom === false) {
        return undefined;
    }
    const props = { ...args.props };
    const metadata = { ...((props.metadata ?? {}) as Record<string, unknown>) };
    metadata.annotations = { ...((metadata.annotations ?? {}) as Record<string, unknown>), "pulumi.com/skipAwait": "true" };
    props.metadata = metadata;
    return { props, opts: args.opts };
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require("./baselineStack");
