import { ObjectMeta } from "../istio/types";
import { NetworkPolicyObject, NetworkPolicyPeer } from "./types";

/** Selects a namespace by the label Kubernetes sets itself, so nobody has to label namespaces by hand. */
export function namespacePeer(namespace: string, podLabels?: Record<string, string>): NetworkPolicyPeer {
    const peer: NetworkPolicyPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
    return podLabels && Object.keys(podLabels).length > 0 ? { ...peer, podSelector: { matchLabels: podLabels } } : peer;
}

export interface EgressPolicyRules {
    readonly dnsNamespace: string;
    readonly dnsPodLabels: Record<string, string>;
    readonly istioNamespaces: string[];
    readonly allowedNamespaces: string[];
}

/**
 * S14: the namespace's pods may reach DNS (UDP and TCP 53) and the Istio namespaces, nothing
 * else, so a pod that bypasses its sidecar cannot leave the cluster except through the gateway.
 */
export function egressNetworkPolicy(meta: ObjectMeta, rules: EgressPolicyRules): NetworkPolicyObject {
    const allowed = [...rules.istioNamespaces, ...rules.allowedNamespaces.filter((n) => !rules.istioNamespaces.includes(n))];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta,
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [namespacePeer(rules.dnsNamespace, rules.dnsPodLabels)],
                    ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
                },
                { to: allowed.map((ns) => namespacePeer(ns)) },
            ],
        },
    };
}
