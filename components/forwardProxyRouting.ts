import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { istioObject, VirtualServiceSpec } from "../istio/types";
import { managedLabels } from "../istio/labels";
import { registerObject } from "../kube/register";
import { endpointObjects, selectorlessService } from "../kube/selectorlessService";
import { KubeObject } from "../kube/types";
import {
    dnsLabel,
    exportToSchema,
    hostPattern,
    ipAddress,
    namespaceName,
    nonEmptyList,
    oneOfEnum,
    portNumber,
    uniqueList,
} from "../validation/common";
import { EndpointsApi } from "../validation/modes";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";

/** Domains the mesh sends to an nginx forward proxy. */
export interface ForwardProxyRoutingOptions {
    /** Base name: the Services are `<name>-http` and `<name>-https`. */
    readonly name: string;
    /** Namespace of the Services and Istio objects. */
    readonly namespace: string;
    /** Domains sent to the proxy, e.g. ["*.qq.com"]. */
    readonly domains: string[];
    /** The forward proxy's IP addresses (outside the cluster). */
    readonly proxyAddresses: string[];
    /** The proxy's plain-HTTP forward port. Default: 8080. */
    readonly httpProxyPort?: number;
    /** The proxy's SNI (stream, ssl_preread) port. Default: 8443. */
    readonly sniProxyPort?: number;
    /** Application port for plain HTTP. Default: 80. */
    readonly httpPort?: number;
    /** Application port for TLS. Default: 443. */
    readonly tlsPort?: number;
    /** "EndpointSlice" or "Endpoints". Default: "EndpointSlice". */
    readonly endpointsApi?: EndpointsApi;
    /** Cluster DNS domain. Default: "cluster.local". */
    readonly clusterDomain?: string;
    /** Namespaces that receive the ServiceEntry and VirtualService ("." , "*" or names). Default: all. */
    readonly exportTo?: string[];
}

/** Args of ForwardProxyRouting. */
export interface ForwardProxyRoutingArgs extends ForwardProxyRoutingOptions {}

export const forwardProxyRoutingArgsSchema = z
    .strictObject({
        name: dnsLabel,
        namespace: namespaceName,
        domains: uniqueList(hostPattern, "domain"),
        proxyAddresses: nonEmptyList(ipAddress, "address"),
        httpProxyPort: portNumber.default(8080),
        sniProxyPort: portNumber.default(8443),
        httpPort: portNumber.default(80),
        tlsPort: portNumber.default(443),
        endpointsApi: oneOfEnum(EndpointsApi).default("EndpointSlice"),
        clusterDomain: z
            .string()
            .regex(/^[a-z0-9.-]+$/)
            .default("cluster.local"),
        exportTo: exportToSchema.optional(),
    })
    .superRefine((a, ctx) => {
        if (a.httpPort === a.tlsPort) {
            ctx.addIssue({
                code: "custom",
                path: ["tlsPort"],
                message: `${a.tlsPort} is also the httpPort: HTTP and TLS need different application ports`,
                input: a.tlsPort,
            });
        }
    });

const _argsMatchSchema: Accepts<typeof forwardProxyRoutingArgsSchema, ForwardProxyRoutingArgs> = true;
void _argsMatchSchema;

/** The forward-proxy routing objects, as a pure function of validated args. */
export function forwardProxyObjects(a: z.output<typeof forwardProxyRoutingArgsSchema>, labels: Record<string, string>): KubeObject[] {
    const httpName = `${a.name}-http`;
    const tlsName = `${a.name}-https`;
    const httpPorts = [{ name: `http-${a.httpProxyPort}`, port: a.httpProxyPort, protocol: "TCP" as const }];
    const tlsPorts = [{ name: `tls-${a.sniProxyPort}`, port: a.sniProxyPort, protocol: "TCP" as const }];
    const httpMeta = { name: httpName, namespace: a.namespace, labels };
    const tlsMeta = { name: tlsName, namespace: a.namespace, labels };
    const svcHost = (n: string) => `${n}.${a.namespace}.svc.${a.clusterDomain}`;
    const vs: VirtualServiceSpec = {
        hosts: a.domains,
        http: [{ match: [{ port: a.httpPort }], route: [{ destination: { host: svcHost(httpName), port: { number: a.httpProxyPort } } }] }],
        tls: [
            {
                match: [{ port: a.tlsPort, sniHosts: a.domains }],
                route: [{ destination: { host: svcHost(tlsName), port: { number: a.sniProxyPort } } }],
            },
        ],
    };
    const meta = { name: a.name, namespace: a.namespace, labels };
    const exportTo = a.exportTo ? { exportTo: a.exportTo } : {};
    return [
        selectorlessService(httpMeta, httpPorts),
        ...endpointObjects(a.endpointsApi, httpMeta, a.proxyAddresses, httpPorts),
        selectorlessService(tlsMeta, tlsPorts),
        ...endpointObjects(a.endpointsApi, tlsMeta, a.proxyAddresses, tlsPorts),
        // The domains must be in the registry for sidecars to apply the routes (REGISTRY_ONLY too).
        istioObject("ServiceEntry", meta, {
            hosts: a.domains,
            ports: [
                { number: a.httpPort, name: `http-${a.httpPort}`, protocol: "HTTP" },
                { number: a.tlsPort, name: `tls-${a.tlsPort}`, protocol: "TLS" },
            ],
            location: "MESH_EXTERNAL",
            resolution: "NONE",
            ...exportTo,
        }),
        istioObject("VirtualService", meta, { ...vs, ...exportTo }),
    ];
}

/**
 * Routes `*.domain` through an nginx forward proxy outside the cluster, without
 * an egress gateway: plain HTTP on port 80 to the proxy's HTTP port, TLS on 443 (by SNI) to its
 * SNI port, each through a selector-less Service whose endpoints are the proxy's IP.
 */
export class ForwardProxyRouting extends pulumi.ComponentResource {
    constructor(name: string, args: ForwardProxyRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.ForwardProxyRouting, name, {}, opts);
        const a = validateArgs(forwardProxyRoutingArgsSchema, args, this);
        for (const obj of forwardProxyObjects(a, managedLabels("ForwardProxyRouting"))) {
            registerObject(childName(name, obj.metadata.name), obj, { parent: this });
        }
        this.registerOutputs({});
    }
}
