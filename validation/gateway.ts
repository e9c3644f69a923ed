import { z } from "zod";
import { DataPlane, EgressApi, GatewayPortProtocol } from "./modes";
import { dnsLabel, labelMap, namespaceName, nonEmptyList, oneOfEnum, portNumber, checkUnique } from "./common";

export const gatewayPortSchema = z.strictObject({
    port: portNumber,
    protocol: oneOfEnum(GatewayPortProtocol),
    targetPort: portNumber.optional(),
});

export type ValidGatewayPort = z.output<typeof gatewayPortSchema>;

export const gatewayPortsSchema = nonEmptyList(gatewayPortSchema, "port").superRefine((ports, ctx) =>
    checkUnique(
        ports,
        (p) => String(p.port),
        ctx,
        (i) => [i, "port"],
        "gateway port",
    ),
);

/** Where an egress gateway runs and how to reach it: plain data, so routes can be planned before deploy. */
export const gatewayRefSchema = z.strictObject({
    name: dnsLabel,
    namespace: namespaceName,
    selector: labelMap.refine((m) => Object.keys(m).length > 0, { error: "needs at least one label" }),
    ports: gatewayPortsSchema,
    clusterDomain: z
        .string()
        .regex(/^[a-z0-9.-]+$/)
        .default("cluster.local"),
    api: oneOfEnum(EgressApi).default("ISTIO"),
    dataPlane: oneOfEnum(DataPlane).default("SIDECAR"),
});

export type GatewayRef = z.output<typeof gatewayRefSchema>;

/** The port the gateway's pods listen on for a Service port (what authorization and NetworkPolicies see). */
export function gatewayTargetPort(ref: Pick<GatewayRef, "ports">, port: number): number {
    const p = ref.ports.find((x) => x.port === port);
    return p?.targetPort ?? port;
}

/** Suffix of the Service (and Deployment) istiod creates for a Gateway API Gateway. */
const GATEWAY_API_SERVICE_SUFFIX = "-istio";

/** The port a waypoint takes its callers' traffic on: HBONE, Istio mTLS tunnels from ztunnel. */
export const HBONE_PORT = 15008;

/**
 * The gateway's Service name: the chart's is the gateway's name; istiod names a gateway it
 * deploys `<name>-istio`, and a waypoint `<name>`.
 */
export function gatewayServiceName(ref: Pick<GatewayRef, "name" | "api" | "dataPlane">): string {
    return ref.api === "GATEWAY_API" && ref.dataPlane !== "AMBIENT" ? `${ref.name}${GATEWAY_API_SERVICE_SUFFIX}` : ref.name;
}

/** The gateway's in-mesh host name, e.g. `istio-egressgateway.istio-system.svc.cluster.local`. */
export function gatewayServiceHost(ref: GatewayRef): string {
    return `${gatewayServiceName(ref)}.${ref.namespace}.svc.${ref.clusterDomain}`;
}
