import { ObjectMeta } from "../istio/types";
import { NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort } from "./types";

/** Selects a namespace by the label Kubernetes sets itself, so nobody has to label namespaces by hand. */
export function namespacePeer(namespace: string, podLabels?: Record<string, string>): NetworkPolicyPeer {
    const peer: NetworkPolicyPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
    return podLabels && Object.keys(podLabels).length > 0 ? { ...peer, podSelector: { matchLabels: podLabels } } : peer;
}

/** Pods (by labels, in a namespace) and the ports they may be reached on. */
export interface PodEndpoint {
    readonly namespace: string;
    readonly podLabels: Record<string, string>;
    readonly ports: number[];
}

export interface EgressPolicyRules {
    readonly dnsNamespace: string;
    readonly dnsPodLabels: Record<string, string>;
    /** The egress gateway's pods and target ports: the only way out. */
    readonly gateway: PodEndpoint;
    /** istiod's pods and its xDS/CA port, which every sidecar needs. */
    readonly controlPlane: PodEndpoint;
    readonly allowSameNamespace: boolean;
    readonly allowedNamespaces: string[];
    readonly apiServer?: { cidrs: string[]; port: number };
    readonly ipBlocks: { cidr: string; ports?: number[] }[];
}

const tcp = (ports: number[]): NetworkPolicyPort[] => ports.map((port) => ({ protocol: "TCP", port }));

/**
 * Least privilege: the namespace's pods may reach DNS (UDP and TCP 53) on the DNS pods, the
 * egress gateway's pods on their ports, istiod on its xDS/CA port, and only what is opted in
 * beside that (their own namespace, other namespaces, the API server, address blocks). A pod that
 * skips its sidecar has no other way out of the cluster.
 */
export function egressNetworkPolicy(meta: ObjectMeta, rules: EgressPolicyRules): NetworkPolicyObject {
    const egress: NonNullable<NetworkPolicyObject["spec"]["egress"]> = [
        {
            to: [namespacePeer(rules.dnsNamespace, rules.dnsPodLabels)],
            ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ],
        },
        { to: [namespacePeer(rules.gateway.namespace, rules.gateway.podLabels)], ports: tcp(rules.gateway.ports) },
        { to: [namespacePeer(rules.controlPlane.namespace, rules.controlPlane.podLabels)], ports: tcp(rules.controlPlane.ports) },
    ];
    if (rules.allowSameNamespace) {
        egress.push({ to: [{ podSelector: {} }] });
    }
    if (rules.allowedNamespaces.length > 0) {
        egress.push({ to: rules.allowedNamespaces.map((ns) => namespacePeer(ns)) });
    }
    if (rules.apiServer) {
        egress.push({ to: rules.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp([rules.apiServer.port]) });
    }
    for (const b of rules.ipBlocks) {
        egress.push({ to: [{ ipBlock: { cidr: b.cidr } }], ...(b.ports ? { ports: tcp(b.ports) } : {}) });
    }
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta,
        spec: { podSelector: {}, policyTypes: ["Egress"], egress },
    };
}
