import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { istioObject, PortProtocol } from "../istio/types";
import { managedLabels } from "../istio/labels";
import { registerObject } from "../kube/register";
import { endpointObjects, selectorlessService } from "../kube/selectorlessService";
import { KubeObject, ServicePortSpec } from "../kube/types";
import {
    dnsLabel,
    exactHost,
    exportToSchema,
    ipAddress,
    namespaceName,
    nonEmptyList,
    oneOfEnum,
    portNumber,
    checkUnique,
} from "../validation/common";
import { EndpointsApi, ServiceTlsMode } from "../validation/modes";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";

export interface KubernetesEgressServicePort {
    /** Port of the Service. */
    readonly port: number;
    /** Port name; its prefix tells Istio the protocol ("http-…", "https-…", "tls-…"). Default: "tcp-<port>". */
    readonly name?: string;
    /** Port on the external endpoint. Default: port. */
    readonly targetPort?: number;
}

/** A Kubernetes Service for an external service. */
export interface KubernetesEgressServiceOptions {
    /** Service name: workloads call `<name>.<namespace>.svc.cluster.local`. */
    readonly name: string;
    /** Namespace of the Service. */
    readonly namespace: string;
    /** External DNS name: makes an ExternalName Service. Set this or addresses. */
    readonly externalName?: string;
    /** External IPs: makes a selector-less Service with endpoints. Set this or externalName. */
    readonly addresses?: string[];
    /** Service ports. */
    readonly ports: KubernetesEgressServicePort[];
    /** Which endpoints API to write for addresses: "EndpointSlice" or "Endpoints" (legacy). Default: "EndpointSlice". */
    readonly endpointsApi?: EndpointsApi;
    /**
     * TLS from the sidecar to the external service: "DISABLE" (the app sends HTTP the service
     * accepts, or does TLS itself; no Istio mTLS to a non-mesh service) or "SIMPLE" (originate TLS).
     * Default: "DISABLE".
     */
    readonly tlsMode?: ServiceTlsMode;
    /** SNI for SIMPLE. Default: externalName. */
    readonly sni?: string;
    /** Cluster DNS domain. Default: "cluster.local". */
    readonly clusterDomain?: string;
    /** Namespaces that receive the Istio objects (ServiceEntry, DestinationRule) ("." , "*" or names). Default: all. */
    readonly exportTo?: string[];
}

/** Args of KubernetesEgressService. */
export interface KubernetesEgressServiceArgs extends KubernetesEgressServiceOptions {}

export const kubernetesEgressServiceArgsSchema = z
    .strictObject({
        name: dnsLabel,
        namespace: namespaceName,
        externalName: exactHost.optional(),
        addresses: nonEmptyList(ipAddress, "address").optional(),
        ports: nonEmptyList(
            z.strictObject({ port: portNumber, name: dnsLabel.optional(), targetPort: portNumber.optional() }),
            "port",
        ).superRefine((ports, ctx) =>
            checkUnique(
                ports,
                (p) => String(p.port),
                ctx,
                (i) => [i, "port"],
                "port",
            ),
        ),
        endpointsApi: oneOfEnum(EndpointsApi).default("EndpointSlice"),
        tlsMode: oneOfEnum(ServiceTlsMode).default("DISABLE"),
        sni: exactHost.optional(),
        clusterDomain: z
            .string()
            .regex(/^[a-z0-9.-]+$/)
            .default("cluster.local"),
        exportTo: exportToSchema.optional(),
    })
    .superRefine((a, ctx) => {
        if ((a.externalName === undefined) === (a.addresses === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: ["externalName"],
                message: "set exactly one of externalName (ExternalName Service) or addresses (selector-less Service)",
                input: a.externalName,
            });
        }
        if (a.tlsMode === "SIMPLE" && !a.sni && !a.externalName) {
            ctx.addIssue({
                code: "custom",
                path: ["sni"],
                message: 'is required for tlsMode "SIMPLE" with addresses: the external host name to send and verify',
                input: a.sni,
            });
        }
    });

const _argsMatchSchema: Accepts<typeof kubernetesEgressServiceArgsSchema, KubernetesEgressServiceArgs> = true;
void _argsMatchSchema;

/** The Service and Istio objects of an external service, as a pure function of validated args. */
export function kubernetesEgressServiceObjects(
    a: z.output<typeof kubernetesEgressServiceArgsSchema>,
    labels: Record<string, string>,
): KubeObject[] {
    const meta = { name: a.name, namespace: a.namespace, labels };
    const ports: ServicePortSpec[] = a.ports.map((p) => ({
        name: p.name ?? `tcp-${p.port}`,
        port: p.port,
        protocol: "TCP",
        ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    }));
    const host = `${a.name}.${a.namespace}.svc.${a.clusterDomain}`;
    // Since Istio 1.21 an ExternalName Service is only an alias of the service named by
    // externalName: with no such service in the registry, no cluster exists and a
    // DestinationRule on the alias is dead. The ServiceEntry makes the external name the
    // concrete service, and the DestinationRule goes on it.
    const objects = a.externalName
        ? [
              {
                  apiVersion: "v1" as const,
                  kind: "Service" as const,
                  metadata: meta,
                  spec: { type: "ExternalName" as const, externalName: a.externalName, ports },
              },
              istioObject("ServiceEntry", meta, {
                  hosts: [a.externalName],
                  ports: a.ports.map((p) => ({
                      number: p.port,
                      name: p.name ?? `tcp-${p.port}`,
                      protocol: protocolFromPortName(p.name ?? "tcp"),
                      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
                  })),
                  location: "MESH_EXTERNAL",
                  resolution: "DNS",
                  ...(a.exportTo ? { exportTo: a.exportTo } : {}),
              }),
          ]
        : [selectorlessService(meta, ports), ...endpointObjects(a.endpointsApi, meta, a.addresses ?? [], ports)];
    const tls = a.tlsMode === "SIMPLE" ? { mode: "SIMPLE" as const, sni: a.sni ?? a.externalName } : { mode: "DISABLE" as const };
    return [
        ...objects,
        istioObject("DestinationRule", meta, {
            host: a.externalName ?? host,
            trafficPolicy: { tls },
            ...(a.exportTo ? { exportTo: a.exportTo } : {}),
        }),
    ];
}

/** The protocol Istio infers from a Service port name ("http-x" → HTTP), for the ServiceEntry twin. */
export function protocolFromPortName(name: string): PortProtocol {
    const prefix = name.split("-")[0]?.toLowerCase();
    switch (prefix) {
        case "http":
            return "HTTP";
        case "http2":
            return "HTTP2";
        case "https":
            return "HTTPS";
        case "tls":
            return "TLS";
        case "grpc":
            return "GRPC";
        default:
            return "TCP";
    }
}

/**
 * A Kubernetes Service for an external service — ExternalName for a DNS name, or a
 * selector-less Service with EndpointSlices (or Endpoints) for external IPs — plus the
 * DestinationRule TLS mode it needs (DISABLE: no Istio mTLS to a non-mesh endpoint; SIMPLE: originate TLS).
 */
export class KubernetesEgressService extends pulumi.ComponentResource {
    /** In-cluster host name of the Service. */
    public readonly host: pulumi.Output<string>;

    constructor(name: string, args: KubernetesEgressServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.KubernetesEgressService, name, {}, opts);
        const a = validateArgs(kubernetesEgressServiceArgsSchema, args, this);
        const all = kubernetesEgressServiceObjects(a, managedLabels("KubernetesEgressService"));
        for (const obj of all) {
            registerObject(childName(name, obj.kind.toLowerCase(), obj.metadata.name), obj, { parent: this });
        }
        this.host = pulumi.output(`${a.name}.${a.namespace}.svc.${a.clusterDomain}`);
        this.registerOutputs({ host: this.host });
    }
}
