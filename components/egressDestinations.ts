import * as pulumi from "@pulumi/pulumi";
import { planDestinations } from "../istio/destinationObjects";
import { managedLabels } from "../istio/labels";
import { objectId, registerObject } from "../kube/register";
import { ResolvedDestination, resolvedDestinationsSchema } from "../validation/destinations";
import { allowsAnyone } from "../validation/sources";
import type { EgressGatewayPortArgs } from "./egressGateway";
import { TYPE_TOKENS } from "./tokens";
import { Accepts, validateArgs } from "./validate";

/** TLS origination: the application sends plain HTTP and the mesh opens TLS to the external host. */
export interface TlsOriginationArgs {
    /** "SIMPLE" (server authentication) or "MUTUAL" (with a client certificate; at the gateway only). @default "SIMPLE" */
    readonly mode?: string;
    /** Port of the external TLS server. @default 443 */
    readonly port?: number;
    /**
     * SDS credential Secret in the gateway's namespace: for SIMPLE a CA-only Secret (`<name>-cacert`,
     * or one holding `ca.crt`) to verify the server; for MUTUAL one with tls.crt, tls.key and ca.crt.
     * Omit for SIMPLE to trust the proxy's system CAs.
     */
    readonly credentialName?: string;
    /** SNI sent to the server. @default the destination host */
    readonly sni?: string;
    /** Accept the server certificate only if it carries one of these SANs. */
    readonly subjectAltNames?: string[];
}

/**
 * Who may use a destination through the egress gateway: workloads by namespace and/or service
 * account, identified by their Istio mTLS certificate at the gateway.
 */
export interface AllowedSources {
    /** Namespaces whose workloads may use it; ["*"] allows any workload with a mesh identity. */
    readonly namespaces?: string[];
    /** Service accounts that may use it, as "<namespace>/<name>". */
    readonly serviceAccounts?: string[];
}

/** One external destination. */
export interface EgressDestinationArgs {
    /** Short name used for the destination's objects and gateway subset. @default derived from host ("edition-cnn-com") */
    readonly name?: string;
    /** External host ("edition.cnn.com") or a wildcard ("*.wikipedia.org"). */
    readonly host: string;
    /** What the application sends: "HTTP" or "TLS" (the app does TLS; routed by SNI). @default "TLS" for port 443 without tls, else "HTTP" */
    readonly protocol?: string;
    /** Port the application calls. @default 80 for HTTP, 443 for TLS */
    readonly port?: number;
    /** "GATEWAY" (through the egress gateway) or "DIRECT" (the sidecar goes straight out). @default "GATEWAY" when a gateway is given */
    readonly egress?: string;
    /** ServiceEntry resolution: "DNS", "DNS_ROUND_ROBIN" or "NONE". @default "DNS"; "NONE" for wildcards */
    readonly resolution?: string;
    /** For a wildcard through the gateway: the one host that serves all of them (S9, "www.wikipedia.org"). */
    readonly servingHost?: string;
    /** For a wildcard through the gateway to arbitrary hosts: forward by SNI through the SNI proxy (S10). @default false */
    readonly sniProxy?: boolean;
    /** Gateway port for this destination. @default 80 for HTTP, the app's port for TLS, 443 for origination */
    readonly gatewayPort?: number;
    /** Create the ServiceEntry; false when the host is already in the mesh registry (a Kubernetes Service). @default true */
    readonly createServiceEntry?: boolean;
    /** Originate TLS (S4 at the sidecar with egress DIRECT; S5/S6 at the gateway). */
    readonly tls?: TlsOriginationArgs;
    /**
     * Who may use this destination through the gateway. Default: the defaultAllowedSources of the
     * destinations; without either, nobody: the gateway refuses every caller (and preview warns).
     */
    readonly allowedSources?: AllowedSources;
}

/** Where an egress gateway is: `EgressGateway.ref`, or written by hand for a gateway installed elsewhere. */
export interface EgressGatewayRefArgs {
    /** Name of the gateway's Service and Istio Gateway. */
    readonly name: string;
    /** Namespace of the gateway. */
    readonly namespace: string;
    /** Pod labels of the gateway (the Gateway's selector). */
    readonly selector: Record<string, string>;
    /** Ports of the gateway Service. */
    readonly ports: EgressGatewayPortArgs[];
    /** Cluster DNS domain. @default "cluster.local" */
    readonly clusterDomain?: string;
}

/** Where the SNI proxy is: `SniProxy.ref`. */
export interface SniProxyRefArgs {
    /** In-mesh host of the proxy Service. */
    readonly host: string;
    /** Ports the proxy listens on. */
    readonly ports: number[];
}

export interface EgressDestinationsArgs {
    /** The egress gateway to route through. Omit when every destination is DIRECT. */
    readonly gateway?: EgressGatewayRefArgs;
    /** Namespace of the Istio objects. @default the gateway's namespace (required without a gateway) */
    readonly namespace?: string;
    /** The external destinations. */
    readonly destinations: EgressDestinationArgs[];
    /** The SNI proxy, for destinations with sniProxy: true. */
    readonly sniProxy?: SniProxyRefArgs;
    /** Namespaces the objects are visible to ("." or "*" or names). @default Istio's default, all */
    readonly exportTo?: string[];
    /** Who may use a destination that lists no allowedSources. Default: nobody. */
    readonly defaultAllowedSources?: AllowedSources;
}

const _argsMatchSchema: Accepts<typeof resolvedDestinationsSchema, EgressDestinationsArgs> = true;
void _argsMatchSchema;

/** What was created for one destination. */
export interface DestinationSummary {
    /** The destination's name (from its host unless given). */
    readonly name: string;
    /** External host or wildcard. */
    readonly host: string;
    /** Port the application calls. */
    readonly port: number;
    /** "HTTP" or "TLS": what the application sends. */
    readonly protocol: string;
    /** "GATEWAY" or "DIRECT". */
    readonly egress: string;
    /** "SIMPLE" or "MUTUAL" when the gateway originates TLS. */
    readonly origination?: string;
    /** `kind/namespace/name` of each object only this destination uses. */
    readonly objects: string[];
    /**
     * Who the egress gateway lets use it: "nobody", "any mesh workload", or the namespaces and
     * service accounts ("namespace shop", "service account payments/api"). DIRECT destinations: "not enforced (DIRECT)".
     */
    readonly allowedSources: string[];
}

function describeSources(d: ResolvedDestination): string[] {
    if (d.egress === "DIRECT") {
        return ["not enforced (DIRECT)"];
    }
    if (!d.sources) {
        return ["nobody"];
    }
    if (allowsAnyone(d.sources)) {
        return ["any mesh workload"];
    }
    return [...d.sources.namespaces.map((n) => `namespace ${n}`), ...d.sources.serviceAccounts.map((sa) => `service account ${sa}`)];
}

/**
 * S2–S6, S9, S10 routes: external destinations, direct or through the egress gateway.
 * One Gateway and one DestinationRule (a subset per destination) are shared by every
 * destination that uses the gateway; each destination adds a ServiceEntry and a two-hop
 * VirtualService, and a DestinationRule where TLS is originated.
 */
export class EgressDestinations extends pulumi.ComponentResource {
    /** Per destination: what it is and which objects it owns. */
    public readonly destinations: pulumi.Output<DestinationSummary[]>;
    /** `kind/namespace/name` of the objects shared by all destinations. */
    public readonly sharedObjects: pulumi.Output<string[]>;

    constructor(name: string, args: EgressDestinationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.EgressDestinations, name, {}, opts);
        const resolved = validateArgs(resolvedDestinationsSchema, args, this);
        const plan = planDestinations(resolved, managedLabels("EgressDestinations"));
        resolved.destinations.forEach((d, i) => {
            if (d.egress === "GATEWAY" && !d.sources) {
                pulumi.log.warn(`destinations[${i}] (${d.name}): no allowedSources and no defaultAllowedSources: the egress gateway refuses every caller of ${d.host}`, this);
            }
        });

        for (const obj of plan.shared) {
            registerObject(`${name}-${obj.metadata.name}`, obj, { parent: this });
        }
        for (const p of plan.perDestination) {
            for (const obj of p.objects) {
                registerObject(`${name}-${obj.metadata.name}`, obj, { parent: this });
            }
        }
        this.destinations = pulumi.output(plan.perDestination.map((p): DestinationSummary => ({
            name: p.destination.name,
            host: p.destination.host,
            port: p.destination.port,
            protocol: p.destination.protocol,
            egress: p.destination.egress,
            ...(p.destination.tls ? { origination: `${p.destination.tls.mode} at the ${p.destination.egress === "GATEWAY" ? "gateway" : "sidecar"}` } : {}),
            objects: p.objects.map(objectId),
            allowedSources: describeSources(p.destination),
        })));
        this.sharedObjects = pulumi.output(plan.shared.map(objectId));
        this.registerOutputs({ destinations: this.destinations, sharedObjects: this.sharedObjects });
    }
}
