import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { managedLabels } from "../istio/labels";
import { egressNetworkPolicy } from "../kube/networkPolicy";
import { registerObject } from "../kube/register";
import { dnsLabel, ipOrCidr, labelMap, namespaceName, nonEmptyList, portNumber, uniqueList } from "../validation/common";
import { gatewayRefSchema, gatewayTargetPort } from "../validation/gateway";
import type { EgressGatewayRef } from "./egressGateway";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";

/** Where istiod runs: the pods every sidecar reaches for configuration and certificates. */
export interface ControlPlaneEndpoint {
    /** Namespace of istiod. Default: "istio-system". */
    readonly namespace?: string;
    /** Labels of istiod's pods. Default: { app: "istiod" }. */
    readonly podLabels?: Record<string, string>;
    /** istiod's ports sidecars use (xDS and CA). Default: [15012]. */
    readonly ports?: number[];
}

/** The Kubernetes API server, reached by address (it is not a pod NetworkPolicies can select). */
export interface ApiServerEndpoint {
    /** Addresses of the API server (the `kubernetes` Service's endpoints), as CIDRs. */
    readonly cidrs: string[];
    /** Port. Default: 443. */
    readonly port?: number;
}

/** An address block pods may reach directly (DIRECT destinations, external or forward proxies). */
export interface AllowedIpBlock {
    /** CIDR, e.g. "203.0.113.10/32". */
    readonly cidr: string;
    /** TCP ports. Default: all. */
    readonly ports?: number[];
}

/** NetworkPolicies that let pods of chosen namespaces out only through the egress gateway. */
export interface EgressNetworkPoliciesOptions {
    /** Application namespaces to lock down: one NetworkPolicy each. */
    readonly namespaces: string[];
    /** istiod, which every sidecar needs. Default: { namespace: "istio-system", podLabels: { app: "istiod" }, ports: [15012] }. */
    readonly controlPlane?: ControlPlaneEndpoint;
    /** Namespace of the cluster DNS. Default: "kube-system". */
    readonly dnsNamespace?: string;
    /** Labels of the DNS pods; empty allows port 53 to the whole DNS namespace. Default: { "k8s-app": "kube-dns" }. */
    readonly dnsPodLabels?: Record<string, string>;
    /** Let pods reach other pods of their own namespace. Default: false. */
    readonly allowSameNamespace?: boolean;
    /** Whole namespaces pods may reach (for in-cluster calls). Default: []. */
    readonly allowedNamespaces?: string[];
    /** Let pods reach the Kubernetes API server. Default: not allowed. */
    readonly apiServer?: ApiServerEndpoint;
    /** Address blocks pods may reach directly: DIRECT destinations, external and forward proxies. Default: []. */
    readonly ipBlocks?: AllowedIpBlock[];
    /** Name of each NetworkPolicy. Default: "istio-egress-only". */
    readonly policyName?: string;
}

/** Args of EgressNetworkPolicies. */
export interface EgressNetworkPoliciesArgs extends EgressNetworkPoliciesOptions {
    /** The egress gateway (`EgressGateway.ref`): its pods, on its ports, are the only way out. Required. */
    readonly gateway?: EgressGatewayRef;
}

const policyFields = {
    namespaces: uniqueList(namespaceName, "namespace"),
    controlPlane: z
        .strictObject({
            namespace: namespaceName.default("istio-system"),
            podLabels: labelMap.default({ app: "istiod" }),
            ports: nonEmptyList(portNumber, "port").default([15012]),
        })
        .default({ namespace: "istio-system", podLabels: { app: "istiod" }, ports: [15012] }),
    dnsNamespace: namespaceName.default("kube-system"),
    dnsPodLabels: labelMap.default({ "k8s-app": "kube-dns" }),
    allowSameNamespace: z.boolean().default(false),
    allowedNamespaces: z.array(namespaceName).default([]),
    apiServer: z.strictObject({ cidrs: nonEmptyList(ipOrCidr, "CIDR"), port: portNumber.default(443) }).optional(),
    ipBlocks: z.array(z.strictObject({ cidr: ipOrCidr, ports: nonEmptyList(portNumber, "port").optional() })).default([]),
    policyName: dnsLabel.default("istio-egress-only"),
};

/** The networkPolicies part of Egress args (the gateway is the Egress's own). */
export const egressNetworkPoliciesOptionsSchema = z.strictObject(policyFields);

export const egressNetworkPoliciesArgsSchema = z
    .strictObject({ ...policyFields, gateway: gatewayRefSchema.optional() })
    .superRefine((a, ctx) => {
        if (!a.gateway) {
            ctx.addIssue({
                code: "custom",
                path: ["gateway"],
                message: "is required: fenced pods leave the cluster only through the egress gateway (EgressGateway.ref)",
                input: a.gateway,
            });
            return;
        }
        const vital = [a.gateway.namespace, a.controlPlane.namespace, a.dnsNamespace];
        a.namespaces.forEach((ns, i) => {
            if (vital.includes(ns)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["namespaces", i],
                    message: `${JSON.stringify(ns)} is the gateway's, istiod's or the DNS namespace: locking it down would cut the mesh off`,
                    input: ns,
                });
            }
        });
    });

const _argsMatchSchema: Accepts<typeof egressNetworkPoliciesArgsSchema, EgressNetworkPoliciesArgs> = true;
void _argsMatchSchema;

/** An IP or CIDR as a CIDR (a single address becomes /32 or /128). */
function asCidr(s: string): string {
    return s.includes("/") ? s : s.includes(":") ? `${s}/128` : `${s}/32`;
}

/**
 * Stops sidecar bypass, with least privilege. In each namespace, pods may reach DNS on the
 * DNS pods, the egress gateway's pods on their ports and istiod on its xDS/CA port, plus what is
 * opted in (own namespace, other namespaces, the API server, address blocks). A pod that skips its
 * sidecar cannot leave except through the gateway. Namespaces are selected by
 * `kubernetes.io/metadata.name`, which Kubernetes sets itself. Needs a CNI that enforces NetworkPolicy.
 */
export class EgressNetworkPolicies extends pulumi.ComponentResource {
    /** `namespace/name` of each policy. */
    public readonly policies: pulumi.Output<string[]>;

    constructor(name: string, args: EgressNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.EgressNetworkPolicies, name, {}, opts);
        const a = validateArgs(egressNetworkPoliciesArgsSchema, args, this);
        const labels = managedLabels("EgressNetworkPolicies");
        const gateway = a.gateway as NonNullable<typeof a.gateway>;
        const rules = {
            ...a,
            gateway: {
                namespace: gateway.namespace,
                podLabels: gateway.selector,
                ports: gateway.ports.map((p) => gatewayTargetPort(gateway, p.port)),
            },
            ipBlocks: a.ipBlocks.map((b) => ({ ...b, cidr: asCidr(b.cidr) })),
            apiServer: a.apiServer ? { port: a.apiServer.port, cidrs: a.apiServer.cidrs.map(asCidr) } : undefined,
        };
        for (const ns of a.namespaces) {
            const policy = egressNetworkPolicy({ name: a.policyName, namespace: ns, labels }, rules);
            registerObject(childName(name, ns), policy, { parent: this });
        }
        this.policies = pulumi.output(a.namespaces.map((ns) => `${ns}/${a.policyName}`));
        this.registerOutputs({ policies: this.policies });
    }
}
