import { z } from "zod";
import { GatewayPortProtocol } from "./modes";
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
});

export type GatewayRef = z.output<typeof gatewayRefSchema>;

/** The port the gateway's pods listen on for a Service port (what authorization and NetworkPolicies see). */
export function gatewayTargetPort(ref: Pick<GatewayRef, "ports">, port: number): number {
    const p = ref.ports.find((x) => x.port === port);
    return p?.targetPort ?? port;
}

/** The gateway's in-mesh host name, e.g. `istio-egressgateway.istio-system.svc.cluster.local`. */
export function gatewayServiceHost(ref: GatewayRef): string {
    return `${ref.name}.${ref.namespace}.svc.${ref.clusterDomain}`;
}
