// The stack program: the whole egress setup comes from stack config (stacks/Pulumi.<stack>.yaml),
// is validated before anything is registered, and is built with the package's public API.
import * as pulumi from "@pulumi/pulumi";
import { Egress, EgressArgs, EGRESS_ARGS_FIELDS, validateEgressArgs, ValidationError } from "./api";

/** The stack's config keys (under the project namespace `istio-egress:`): the fields of EgressArgs. */
function readConfig(): EgressArgs {
    const known = new Set<string>(EGRESS_ARGS_FIELDS.map((k) => `istio-egress:${k}`));
    const unknown = Object.keys(pulumi.runtime.allConfig()).filter((k) => k.startsWith("istio-egress:") && !known.has(k));
    if (unknown.length > 0) {
        throw new pulumi.RunError(`invalid stack config: ${unknown[0]}: unknown key (known: ${EGRESS_ARGS_FIELDS.join(", ")})`);
    }
    const config = new pulumi.Config();
    const args: Record<string, unknown> = {};
    for (const key of EGRESS_ARGS_FIELDS) {
        const value = key === "namespace" ? config.get(key) : config.getObject<unknown>(key);
        if (value !== undefined) {
            args[key] = value;
        }
    }
    return args as EgressArgs;
}

const args = readConfig();
try {
    // The plan is kept for these args: the Egress below does not validate them again.
    validateEgressArgs(args);
} catch (e) {
    // One line naming the config key, the field and the value; no stack trace, nothing created.
    throw e instanceof ValidationError ? new pulumi.RunError(`invalid stack config: istio-egress:${e.message}`) : e;
}

const egress = new Egress("egress", args);

// Outputs of parts the stack does not configure are left out, rather than exported as undefined
// (which the engine reports with a warning on every run).
const outputs: Record<string, pulumi.Output<unknown>> = {
    destinations: egress.destinations,
    sharedObjects: egress.sharedObjects,
    credentialSecrets: egress.credentialSecrets,
    certificateExpiry: egress.certificateExpiry,
    serverCertificates: egress.serverCertificates,
};
if (args.gateway) {
    outputs.gatewayServiceHost = egress.gatewayServiceHost;
}
if (args.sniProxy) {
    outputs.sniProxyHost = egress.sniProxyHost;
}
if (args.certificates) {
    outputs.caCertificatePem = egress.caCertificatePem;
}

export = outputs;
