// The e2e test stack: the repository's real stack program (index.ts), plus one stack transform
// that sets pulumi.com/skipAwait on every Kubernetes object. The harness has no scheduler or
// kubelet, so Pods never become ready; awaiting them would hang. This is test-only: the package
// and its stack program never set skipAwait.
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
module.exports = require("../../../index");
