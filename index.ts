// The stack program: the whole egress setup comes from stack config (stacks/Pulumi.<stack>.yaml),
// is validated before anything is registered, and is built with the package's public API.
import * as pulumi from "@pulumi/pulumi";
import { Egress, EgressArgs, validateEgressArgs, ValidationError } from "./api";

/** Config keys of the stack (under the project namespace `istio-egress:`), one per EgressArgs field. */
const CONFIG_KEYS = [
    "gateway", "destinations", "namespace", "sniProxy", "kubernetesServices", "externalProxies",
    "forwardProxies", "networkPolicies", "registryOnly", "exportTo", "defaultAllowedSources", "certificates",
] as const;

function readConfig(): EgressArgs {
    const known = new Set<string>(CONFIG_KEYS.map((k) => `istio-egress:${k}`));
    const unknown = Object.keys(pulumi.runtime.allConfig()).filter((k) => k.startsWith("istio-egress:") && !known.has(k));
    if (unknown.length > 0) {
        throw new pulumi.RunError(`invalid stack config: ${unknown[0]}: unknown key (known: ${CONFIG_KEYS.join(", ")})`);
    }
    const config = new pulumi.Config();
    const args: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
        const value = key === "namespace" ? config.get(key) : config.getObject<unknown>(key);
        if (value !== undefined) {
            args[key] = value;
        }
    }
    return args as EgressArgs;
}

const args = readConfig();
try {
    validateEgressArgs(args);
} catch (e) {
    // One line naming the config key, the field and the value; no stack trace, nothing created.
    throw e instanceof ValidationError ? new pulumi.RunError(`invalid stack config: istio-egress:${e.message}`) : e;
}

const egress = new Egress("egress", args);

export const gatewayServiceHost = egress.gatewayServiceHost;
export const destinations = egress.destinations;
export const sharedObjects = egress.sharedObjects;
export const sniProxyHost = egress.sniProxyHost;
export const caCertificatePem = egress.caCertificatePem;
export const credentialSecrets = egress.credentialSecrets;
export const certificateExpiry = egress.certificateExpiry;
export const serverCertificates = egress.serverCertificates;
