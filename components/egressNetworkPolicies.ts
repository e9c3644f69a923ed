import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { managedLabels } from "../istio/labels";
import { egressNetworkPolicy } from "../kube/networkPolicy";
import { registerObject } from "../kube/register";
import { dnsLabel, labelMap, namespaceName, nonEmptyList, checkUnique } from "../validation/common";
import { TYPE_TOKENS } from "./tokens";
import { Accepts, validateArgs } from "./validate";

export interface EgressNetworkPoliciesArgs {
    /** Application namespaces to lock down: one NetworkPolicy each. */
    readonly namespaces: string[];
    /** Namespaces of the Istio control plane and egress gateway(s), which pods may reach. @default ["istio-system"] */
    readonly istioNamespaces?: string[];
    /** Namespace of the cluster DNS. @default "kube-system" */
    readonly dnsNamespace?: string;
    /** Labels of the DNS pods; empty allows port 53 to the whole DNS namespace. @default { "k8s-app": "kube-dns" } */
    readonly dnsPodLabels?: Record<string, string>;
    /** More namespaces pods may reach (for in-cluster calls). @default [] */
    readonly allowedNamespaces?: string[];
    /** Name of each NetworkPolicy. @default "istio-egress-only" */
    readonly policyName?: string;
}

const uniqueNamespaces = (what: string) => nonEmptyList(namespaceName, what)
    .superRefine((ns, ctx) => checkUnique(ns, (x) => x, ctx, (i) => [i], "namespace"));

export const egressNetworkPoliciesArgsSchema = z.strictObject({
    namespaces: uniqueNamespaces("namespace"),
    istioNamespaces: uniqueNamespaces("Istio namespace").default(["istio-system"]),
    dnsNamespace: namespaceName.default("kube-system"),
    dnsPodLabels: labelMap.default({ "k8s-app": "kube-dns" }),
    allowedNamespaces: z.array(namespaceName).default([]),
    policyName: dnsLabel.default("istio-egress-only"),
}).superRefine((a, ctx) => {
    a.namespaces.forEach((ns, i) => {
        if (a.istioNamespaces.includes(ns) || ns === a.dnsNamespace) {
            ctx.addIssue({ code: "custom", path: ["namespaces", i], message: `${JSON.stringify(ns)} is an Istio or DNS namespace: locking it down would cut the mesh off`, input: ns });
        }
    });
});

const _argsMatchSchema: Accepts<typeof egressNetworkPoliciesArgsSchema, EgressNetworkPoliciesArgs> = true;
void _argsMatchSchema;

/**
 * S14: stops sidecar bypass. In each namespace, pods may only reach DNS (UDP and TCP 53) and
 * the Istio namespaces; so a pod that skips its sidecar cannot reach the outside at all.
 * Namespaces are selected by `kubernetes.io/metadata.name`, which Kubernetes sets itself.
 * Needs a CNI that enforces NetworkPolicy.
 */
export class EgressNetworkPolicies extends pulumi.ComponentResource {
    /** `namespace/name` of each policy. */
    public readonly policies: pulumi.Output<string[]>;

    constructor(name: string, args: EgressNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.EgressNetworkPolicies, name, {}, opts);
        const a = validateArgs(egressNetworkPoliciesArgsSchema, args, this);
        const labels = managedLabels("EgressNetworkPolicies");
        for (const ns of a.namespaces) {
            const policy = egressNetworkPolicy({ name: a.policyName, namespace: ns, labels }, a);
            registerObject(`${name}-${ns}`, policy, { parent: this });
        }
        this.policies = pulumi.output(a.namespaces.map((ns) => `${ns}/${a.policyName}`));
        this.registerOutputs({ policies: this.policies });
    }
}
