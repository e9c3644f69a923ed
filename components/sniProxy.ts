import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { managedLabels } from "../istio/labels";
import { registerObject } from "../kube/register";
import { sniProxyObjects, unprivilegedPort } from "../proxy/sniProxyObjects";
import { dnsLabel, hostPattern, labelMap, namespaceName, nonEmptyList, portNumber, checkUnique } from "../validation/common";
import { ValidSniProxyRef } from "../validation/destinations";
import { Toleration, tolerationSchema } from "./egressGateway";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";

/** nginx image of the proxy by default (needs the stream and ssl_preread modules, as the official image has). */
export const DEFAULT_SNI_PROXY_IMAGE = "nginx:1.29";

/** Where the SNI proxy is: `SniProxy.ref`. */
export interface SniProxyRef {
    /** In-mesh host of the proxy Service. */
    readonly host: string;
    /** Ports the proxy listens on. */
    readonly ports: number[];
}

/** A TLS port of the proxy and the host patterns it forwards from that port. */
export interface SniProxyRoute {
    /** Port clients (the gateway) connect to; the proxy forwards to the same port of the SNI host. */
    readonly port: number;
    /** Host patterns forwarded from this port ("*.wikipedia.org"); any other SNI is refused. */
    readonly allowedHosts: string[];
}

export interface SniProxyArgs {
    /** Name of the proxy's ConfigMap, Deployment and Service. Default: "egress-sni-proxy". */
    readonly name?: string;
    /** Namespace, normally the egress gateway's. Default: "istio-system". */
    readonly namespace?: string;
    /** The proxy's ports, each with its own allow list. */
    readonly routes: SniProxyRoute[];
    /** Also listen on IPv6 and resolve IPv6 addresses (for clusters with IPv6 pod networking). Default: false. */
    readonly ipv6?: boolean;
    /** DNS resolvers for SNI hosts. Default: ["kube-dns.kube-system.svc.cluster.local"]. */
    readonly resolvers?: string[];
    /** Container image. Default: "nginx:1.29". */
    readonly image?: string;
    /** Replica count. Default: 2. */
    readonly replicas?: number;
    /** Node labels, to run beside the gateway on dedicated egress nodes. */
    readonly nodeSelector?: Record<string, string>;
    /** Tolerations for tainted dedicated egress nodes. */
    readonly tolerations?: Toleration[];
    /** Cluster DNS domain. Default: "cluster.local". */
    readonly clusterDomain?: string;
    /** Pod labels of the egress gateway, the only pods the proxy admits. Default: { app: "istio-egressgateway", istio: "egressgateway" }. */
    readonly gatewaySelector?: Record<string, string>;
}

/** The SNI proxy of an Egress: its ports and allowed hosts come from the destinations that use it. */
export interface SniProxyOptions {
    /** Name of the proxy's Deployment, Service and ConfigMap. Default: "egress-sni-proxy". */
    readonly name?: string;
    /** Extra ports beyond those of the destinations; each forwards every proxied host. Default: none. */
    readonly extraPorts?: number[];
    /** DNS resolvers for SNI hosts. Default: ["kube-dns.kube-system.svc.cluster.local"]. */
    readonly resolvers?: string[];
    /** Also listen on IPv6 and resolve IPv6 addresses. Default: false. */
    readonly ipv6?: boolean;
    /** Container image. Default: "nginx:1.29". */
    readonly image?: string;
    /** Replica count. Default: 2. */
    readonly replicas?: number;
    /** Node labels, to run beside the gateway on dedicated egress nodes. */
    readonly nodeSelector?: Record<string, string>;
    /** Tolerations for tainted dedicated egress nodes. */
    readonly tolerations?: Toleration[];
}

const resolversSchema = nonEmptyList(
    z.string().regex(/^[A-Za-z0-9.:-]+$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a resolver address` }),
    "resolver",
).default(["kube-dns.kube-system.svc.cluster.local"]);

/** The sniProxy part of Egress args; the routes are built from the destinations, then checked by sniProxyArgsSchema. */
export const sniProxyOptionsSchema = z.strictObject({
    name: dnsLabel.optional(),
    extraPorts: z.array(portNumber).optional(),
    resolvers: resolversSchema.optional(),
    ipv6: z.boolean().optional(),
    image: z.string().min(1).optional(),
    replicas: z.number().int().min(1).optional(),
    nodeSelector: labelMap.optional(),
    tolerations: z.array(tolerationSchema).optional(),
});

export const sniProxyArgsSchema = z.strictObject({
    name: dnsLabel.default("egress-sni-proxy"),
    namespace: namespaceName.default("istio-system"),
    routes: nonEmptyList(
        z.strictObject({
            port: portNumber,
            allowedHosts: nonEmptyList(hostPattern, "allowed host").superRefine((hs, ctx) =>
                checkUnique(
                    hs,
                    (h) => h,
                    ctx,
                    (i) => [i],
                    "allowed host",
                ),
            ),
        }),
        "route",
    ).superRefine((routes, ctx) => {
        checkUnique(
            routes,
            (r) => String(r.port),
            ctx,
            (i) => [i, "port"],
            "port",
        );
        // Privileged ports move up by 10000 inside the pod (non-root): they must not meet another port there.
        checkUnique(
            routes,
            (r) => String(unprivilegedPort(r.port)),
            ctx,
            (i) => [i, "port"],
            "in-pod listen port (a port below 1024 listens on port + 10000)",
        );
    }),
    ipv6: z.boolean().default(false),
    resolvers: resolversSchema,
    image: z.string().min(1).default(DEFAULT_SNI_PROXY_IMAGE),
    replicas: z.number().int().min(1).default(2),
    nodeSelector: labelMap.optional(),
    tolerations: z.array(tolerationSchema).optional(),
    clusterDomain: z
        .string()
        .regex(/^[a-z0-9.-]+$/)
        .default("cluster.local"),
    gatewaySelector: labelMap
        .refine((m) => Object.keys(m).length > 0, { error: "needs at least one label" })
        .default({ app: "istio-egressgateway", istio: "egressgateway" }),
});

const _argsMatchSchema: Accepts<typeof sniProxyArgsSchema, SniProxyArgs> = true;
void _argsMatchSchema;

export function sniProxyRef(a: z.output<typeof sniProxyArgsSchema>): ValidSniProxyRef {
    return { host: `${a.name}.${a.namespace}.svc.${a.clusterDomain}`, ports: a.routes.map((r) => r.port) };
}

/**
 * An nginx SNI forward proxy beside the egress gateway (`stream` + `ssl_preread`), for
 * wildcard domains whose hosts are not served by one IP. The gateway passes TLS through to it
 * and it connects to the SNI host on the port the client used. Route destinations to it with
 * `sniProxy: true` in EgressDestinations.
 */
export class SniProxy extends pulumi.ComponentResource {
    /** How destinations reach the proxy (plain data). */
    public readonly ref: SniProxyRef;
    /** The generated nginx.conf. */
    public readonly config: pulumi.Output<string>;

    constructor(name: string, args: SniProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.SniProxy, name, {}, opts);
        const a = validateArgs(sniProxyArgsSchema, args, this);
        this.ref = sniProxyRef(a);
        const objects = sniProxyObjects({ ...a, labels: managedLabels("SniProxy") });
        for (const obj of objects) {
            // A fixed-name ConfigMap can only be replaced delete-first (create-first conflicts under
            // server-side apply); with kubernetes:enableConfigMapMutable it is updated in place.
            registerObject(childName(name, obj.metadata.name), obj, { parent: this, deleteBeforeReplace: obj.kind === "ConfigMap" });
        }
        this.config = pulumi.output(objects[0].data["nginx.conf"] as string);
        this.registerOutputs({ config: this.config });
    }
}
