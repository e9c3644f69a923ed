import * as pulumi from "@pulumi/pulumi";

/**
 * Sets pulumi.com/skipAwait on every Kubernetes object the program registers. The test control
 * plane has no scheduler or kubelet, so Pods never become ready and awaiting them would hang.
 * Test and benchmark programs only: the package never sets skipAwait.
 */
export function registerSkipAwaitTransform(): void {
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
}
