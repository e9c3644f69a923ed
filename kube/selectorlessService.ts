import { isIP } from "node:net";
import { ObjectMeta } from "../istio/types";
import { EndpointSliceObject, EndpointsObject, ServiceObject, ServicePortSpec } from "./types";

// A Service with no selector plus the endpoints behind it: a stable in-cluster name for an
// external IP (S11, and the proxy Services of S13).

export type EndpointsApi = "EndpointSlice" | "Endpoints";

export function selectorlessService(meta: ObjectMeta, ports: ServicePortSpec[]): ServiceObject {
    return { apiVersion: "v1", kind: "Service", metadata: meta, spec: { type: "ClusterIP", ports } };
}

/** EndpointSlices for the addresses, one per IP family (a slice holds one family). */
export function endpointSlices(
    meta: ObjectMeta,
    serviceName: string,
    addresses: string[],
    ports: ServicePortSpec[],
): EndpointSliceObject[] {
    const families: ["IPv4" | "IPv6", string[]][] = [
        ["IPv4", addresses.filter((a) => isIP(a) === 4)],
        ["IPv6", addresses.filter((a) => isIP(a) === 6)],
    ];
    const nonEmpty = families.filter(([, ips]) => ips.length > 0);
    return nonEmpty.map(([addressType, ips]) => ({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
            ...meta,
            name: nonEmpty.length > 1 ? `${meta.name}-${addressType.toLowerCase()}` : meta.name,
            labels: {
                ...meta.labels,
                "kubernetes.io/service-name": serviceName,
                "endpointslice.kubernetes.io/managed-by": "istio-egress.pulumi.com",
            },
        },
        addressType,
        endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        ports: ports.map((p) => ({ name: p.name, port: p.targetPort ?? p.port, protocol: "TCP" as const })),
    }));
}

/** The legacy Endpoints object (as in Istio's guides), for clusters or tools that still read it. */
export function legacyEndpoints(meta: ObjectMeta, addresses: string[], ports: ServicePortSpec[]): EndpointsObject {
    return {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: meta,
        subsets: [
            {
                addresses: addresses.map((ip) => ({ ip })),
                ports: ports.map((p) => ({ name: p.name, port: p.targetPort ?? p.port, protocol: "TCP" as const })),
            },
        ],
    };
}

export function endpointObjects(
    api: EndpointsApi,
    meta: ObjectMeta,
    addresses: string[],
    ports: ServicePortSpec[],
): (EndpointSliceObject | EndpointsObject)[] {
    return api === "Endpoints" ? [legacyEndpoints(meta, addresses, ports)] : endpointSlices(meta, meta.name, addresses, ports);
}
