import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { istioObject } from "../istio/types";
import { managedLabels } from "../istio/labels";
import { registerObject } from "../kube/register";
import { dnsLabel, namespaceName, nonEmptyList, checkUnique } from "../validation/common";
import { TYPE_TOKENS } from "./tokens";
import { Accepts, validateArgs } from "./validate";

export interface RegistryOnlyOutboundArgs {
    /** Namespaces whose sidecars may only reach hosts in the mesh registry (ServiceEntries, Services). */
    readonly namespaces: string[];
    /** Name of the namespace-wide Sidecar resource (one per namespace may lack a workloadSelector). @default "default" */
    readonly sidecarName?: string;
}

export const registryOnlyOutboundArgsSchema = z.strictObject({
    namespaces: nonEmptyList(namespaceName, "namespace").superRefine((ns, ctx) => checkUnique(ns, (x) => x, ctx, (i) => [i], "namespace")),
    sidecarName: dnsLabel.default("default"),
});

const _argsMatchSchema: Accepts<typeof registryOnlyOutboundArgsSchema, RegistryOnlyOutboundArgs> = true;
void _argsMatchSchema;

/**
 * The mesh-wide equivalent, for istiod's Helm values (or IstioOperator `spec.meshConfig`):
 * every sidecar in the mesh then blocks hosts that are not in the registry.
 */
export function meshWideRegistryOnlyValues(): { meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } } {
    return { meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } };
}

/**
 * S15: outbound `REGISTRY_ONLY` for chosen namespaces: a namespace-wide `Sidecar` whose
 * outboundTrafficPolicy blocks any host without a ServiceEntry or Service, while the rest of
 * the mesh keeps its setting.
 */
export class RegistryOnlyOutbound extends pulumi.ComponentResource {
    constructor(name: string, args: RegistryOnlyOutboundArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.RegistryOnlyOutbound, name, {}, opts);
        const a = validateArgs(registryOnlyOutboundArgsSchema, args, this);
        const labels = managedLabels("RegistryOnlyOutbound");
        for (const ns of a.namespaces) {
            const sidecar = istioObject("Sidecar", { name: a.sidecarName, namespace: ns, labels }, { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } });
            registerObject(`${name}-${ns}`, sidecar, { parent: this });
        }
        this.registerOutputs({});
    }
}
