import type * as k8s from "@pulumi/kubernetes";
import { BenchDestination } from "./workload";

// The baseline: the Istio objects the seeds write by hand, per destination, with no shared
// objects and no component layer. Pure functions; baselineStack.ts registers them.
//
// Per destination, as in the egress-gateway guides (seed 002 and Istio's English "Egress
// Gateways" and "Egress Gateways with TLS Origination" pages):
//   ServiceEntry <name>, Gateway <name>-egressgateway, DestinationRule egressgateway-for-<name>,
//   VirtualService direct-<name>-through-egress-gateway,
//   and for origination DestinationRule originate-tls-for-<name>.
// Deviations, so that N destinations can live side by side on one gateway: object names carry
// the destination's name (the guides reuse "istio-egressgateway" / "cnn"), and origination uses
// gateway port 443 (the guide's port 80 with protocol HTTPS would clash with the HTTP
// destinations' port 80 servers on the same gateway workload).
// NetworkPolicies: seed 002's allow-egress-to-istio-system-and-kube-dns, one per namespace.

export interface BaselineObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string };
    spec: Record<string, unknown>;
}

export interface BaselineNetworkPolicy {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string };
    spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

export interface BaselineGateway {
    /** Name of the gateway's Service. */
    readonly name: string;
    readonly namespace: string;
    /** Pod labels the Gateways select. */
    readonly selector: Record<string, string>;
}

export const BASELINE_GATEWAY: BaselineGateway = {
    name: "istio-egressgateway",
    namespace: "istio-system",
    selector: { istio: "egressgateway" },
};

const ISTIO = "networking.istio.io/v1";

function obj(kind: string, name: string, namespace: string, spec: Record<string, unknown>): BaselineObject {
    return { apiVersion: ISTIO, kind, metadata: { name, namespace }, spec };
}

/** The hand-written objects for one destination. */
export function seedObjects(d: BenchDestination, gw: BaselineGateway = BASELINE_GATEWAY): BaselineObject[] {
    const ns = gw.namespace;
    const gwHost = `${gw.name}.${gw.namespace}.svc.cluster.local`;
    const gateway = `${d.name}-egressgateway`;
    const hops = (mesh: Record<string, unknown>, edge: Record<string, unknown>, toGw: number, toExt: number) => [
        {
            match: [{ gateways: ["mesh"], ...mesh }],
            route: [{ destination: { host: gwHost, subset: d.name, port: { number: toGw } }, weight: 100 }],
        },
        { match: [{ gateways: [gateway], ...edge }], route: [{ destination: { host: d.host, port: { number: toExt } }, weight: 100 }] },
    ];
    if (d.tls) {
        // "Egress Gateways with TLS Origination": HTTP from the app, ISTIO_MUTUAL to the gateway, TLS out.
        return [
            obj("ServiceEntry", d.name, ns, {
                hosts: [d.host],
                ports: [
                    { number: 80, name: "http-port", protocol: "HTTP" },
                    { number: 443, name: "https", protocol: "HTTPS" },
                ],
                resolution: "DNS",
            }),
            obj("Gateway", gateway, ns, {
                selector: gw.selector,
                servers: [
                    {
                        port: { number: 443, name: "https-port-for-tls-origination", protocol: "HTTPS" },
                        hosts: [d.host],
                        tls: { mode: "ISTIO_MUTUAL" },
                    },
                ],
            }),
            obj("DestinationRule", `egressgateway-for-${d.name}`, ns, {
                host: gwHost,
                subsets: [
                    {
                        name: d.name,
                        trafficPolicy: {
                            loadBalancer: { simple: "ROUND_ROBIN" },
                            portLevelSettings: [{ port: { number: 443 }, tls: { mode: "ISTIO_MUTUAL", sni: d.host } }],
                        },
                    },
                ],
            }),
            obj("VirtualService", `direct-${d.name}-through-egress-gateway`, ns, {
                hosts: [d.host],
                gateways: [gateway, "mesh"],
                http: hops({ port: 80 }, { port: 443 }, 443, 443),
            }),
            obj("DestinationRule", `originate-tls-for-${d.name}`, ns, {
                host: d.host,
                trafficPolicy: {
                    loadBalancer: { simple: "ROUND_ROBIN" },
                    portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }],
                },
            }),
        ];
    }
    if (d.protocol === "TLS") {
        // Seed 002, "Egress gateway para tráfico HTTPS": passthrough, routed by SNI.
        return [
            obj("ServiceEntry", d.name, ns, {
                hosts: [d.host],
                ports: [{ number: 443, name: "tls", protocol: "TLS" }],
                resolution: "DNS",
            }),
            obj("Gateway", gateway, ns, {
                selector: gw.selector,
                servers: [{ port: { number: 443, name: "tls", protocol: "TLS" }, hosts: [d.host], tls: { mode: "PASSTHROUGH" } }],
            }),
            obj("DestinationRule", `egressgateway-for-${d.name}`, ns, { host: gwHost, subsets: [{ name: d.name }] }),
            obj("VirtualService", `direct-${d.name}-through-egress-gateway`, ns, {
                hosts: [d.host],
                gateways: ["mesh", gateway],
                tls: hops({ port: 443, sniHosts: [d.host] }, { port: 443, sniHosts: [d.host] }, 443, 443),
            }),
        ];
    }
    // Seed 002, "Egress gateway para tráfico HTTP".
    return [
        obj("ServiceEntry", d.name, ns, {
            hosts: [d.host],
            ports: [
                { number: 80, name: "http-port", protocol: "HTTP" },
                { number: 443, name: "https", protocol: "HTTPS" },
            ],
            resolution: "DNS",
        }),
        obj("Gateway", gateway, ns, {
            selector: gw.selector,
            servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: [d.host] }],
        }),
        obj("DestinationRule", `egressgateway-for-${d.name}`, ns, { host: gwHost, subsets: [{ name: d.name }] }),
        obj("VirtualService", `direct-${d.name}-through-egress-gateway`, ns, {
            hosts: [d.host],
            gateways: [gateway, "mesh"],
            http: hops({ port: 80 }, { port: 80 }, 80, 80),
        }),
    ];
}

/**
 * Seed 002's NetworkPolicy for one namespace. The seed also labels kube-system and istio-system
 * by hand (`kubectl label`), which is not an object and not counted.
 */
export function seedNetworkPolicy(namespace: string): BaselineNetworkPolicy {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-egress-to-istio-system-and-kube-dns", namespace },
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [{ namespaceSelector: { matchLabels: { "kube-system": "true" } } }], ports: [{ protocol: "UDP", port: 53 }] },
                { to: [{ namespaceSelector: { matchLabels: { istio: "system" } } }] },
            ],
        },
    };
}

/** The gateway chart values a hand-written program passes (the same gateway the package installs by default). */
export function seedGatewayValues(gw: BaselineGateway = BASELINE_GATEWAY): Record<string, unknown> {
    return {
        name: gw.name,
        labels: { app: gw.name, ...gw.selector },
        service: {
            type: "ClusterIP",
            ports: [
                { name: "status-port", port: 15021, protocol: "TCP", targetPort: 15021 },
                { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
                { name: "https", port: 443, protocol: "TCP", targetPort: 443 },
            ],
        },
        autoscaling: { enabled: false },
        replicaCount: 2,
        podDisruptionBudget: { minAvailable: 1 },
    };
}
