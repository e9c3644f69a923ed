import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { istioObject } from "../istio/types";
import { managedLabels } from "../istio/labels";
import { registerObject } from "../kube/register";
import { dnsLabel, namespaceName, uniqueList } from "../validation/common";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";

/** Registry-only outbound traffic for chosen namespaces. */
export interface RegistryOnlyOutboundOptions {
    /** Namespaces whose sidecars may only reach hosts in the mesh registry (ServiceEntries, Services). */
    readonly namespaces: string[];
    /** Name of the namespace-wide Sidecar resource (one per namespace may lack a workloadSelector). Default: "default". */
    readonly sidecarName?: string;
    /**
     * Namespaces whose services and egress configuration these sidecars may see, beside their own
     * and the mesh's root namespace (Istio's `<namespace>/*` egress hosts): the egress gateway's
     * namespace, and any other the workloads call. Default: [] (own and root namespace only).
     */
    readonly importNamespaces?: string[];
    /** Istio's root namespace, where a namespace-wide Sidecar would apply to the whole mesh (refused here). Default: "istio-system". */
    readonly rootNamespace?: string;
}

/** Args of RegistryOnlyOutbound. */
export interface RegistryOnlyOutboundArgs extends RegistryOnlyOutboundOptions {}

export const registryOnlyOutboundArgsSchema = z
    .strictObject({
        namespaces: uniqueList(namespaceName, "namespace"),
        sidecarName: dnsLabel.default("default"),
        importNamespaces: z.array(namespaceName).default([]),
        rootNamespace: namespaceName.default("istio-system"),
    })
    .superRefine((a, ctx) => {
        a.namespaces.forEach((ns, i) => {
            if (ns === a.rootNamespace) {
                ctx.addIssue({
                    code: "custom",
                    path: ["namespaces", i],
                    message: `${JSON.stringify(ns)} is the mesh root namespace: a Sidecar there without a workloadSelector applies to every namespace (use the mesh-wide setting instead)`,
                    input: ns,
                });
            }
        });
    });

/** A namespace's Sidecar egress hosts: its own namespace, the root namespace and the imported ones, nothing else. */
export function registryOnlyEgressHosts(a: z.output<typeof registryOnlyOutboundArgsSchema>, namespace: string): string[] {
    const others = [a.rootNamespace, ...a.importNamespaces].filter((n) => n !== namespace);
    return ["./*", ...new Set(others.map((n) => `${n}/*`))];
}

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
 * Outbound `REGISTRY_ONLY` for chosen namespaces: a namespace-wide `Sidecar` whose
 * outboundTrafficPolicy blocks any host without a ServiceEntry or Service, while the rest of
 * the mesh keeps its setting.
 */
export class RegistryOnlyOutbound extends pulumi.ComponentResource {
    constructor(name: string, args: RegistryOnlyOutboundArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.RegistryOnlyOutbound, name, {}, opts);
        const a = validateArgs(registryOnlyOutboundArgsSchema, args, this);
        const labels = managedLabels("RegistryOnlyOutbound");
        for (const ns of a.namespaces) {
            const sidecar = istioObject(
                "Sidecar",
                { name: a.sidecarName, namespace: ns, labels },
                {
                    egress: [{ hosts: registryOnlyEgressHosts(a, ns) }],
                    outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
                },
            );
            registerObject(childName(name, ns), sidecar, { parent: this });
        }
        this.registerOutputs({});
    }
}
