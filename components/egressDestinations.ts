import * as pulumi from "@pulumi/pulumi";
import { planDestinations } from "../istio/destinationObjects";
import { planGatewayApiDestinations } from "../gatewayapi/destinationRoutes";
import { planWaypointDestinations } from "../gatewayapi/waypointDestinations";
import { managedLabels } from "../istio/labels";
import { objectId, registerObject } from "../kube/register";
import { ResolvedDestination, resolvedDestinationsSchema } from "../validation/destinations";
import { allowsAnyone } from "../validation/sources";
import type { EgressGatewayRef } from "./egressGateway";
import type { SniProxyRef } from "./sniProxy";
import { DestinationProtocol, EgressMode, OriginationMode, Resolution } from "../validation/modes";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";

/** TLS origination: the application sends plain HTTP and the mesh opens TLS to the external host. */
export interface TlsOrigination {
    /** "SIMPLE" (server authentication) or "MUTUAL" (with a client certificate; at the gateway only). Default: "SIMPLE". */
    readonly mode?: OriginationMode;
    /** Port of the external TLS server. Default: 443. */
    readonly port?: number;
    /**
     * SDS credential Secret in the gateway's namespace: for SIMPLE a CA-only Secret (`<name>-cacert`,
     * or one holding `ca.crt`) to verify the server; for MUTUAL one with tls.crt, tls.key and ca.crt.
     * Omit for SIMPLE to trust the proxy's system CAs.
     */
    readonly credentialName?: string;
    /** SNI sent to the server. Default: the destination host. */
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
export interface EgressDestination {
    /** Short name used for the destination's objects and gateway subset. Default: derived from host ("edition-cnn-com"). */
    readonly name?: string;
    /** External host ("edition.cnn.com") or a wildcard ("*.wikipedia.org"). */
    readonly host: string;
    /** What the application sends: "HTTP" or "TLS" (the app does TLS; routed by SNI). Default: "TLS" for port 443 without tls, else "HTTP". */
    readonly protocol?: DestinationProtocol;
    /** Port the application calls. Default: 80 for HTTP, 443 for TLS. */
    readonly port?: number;
    /** "GATEWAY" (through the egress gateway) or "DIRECT" (the sidecar goes straight out). Default: "GATEWAY" when a gateway is given. */
    readonly egress?: EgressMode;
    /** ServiceEntry resolution: "DNS", "DNS_ROUND_ROBIN" or "NONE". Default: "DNS"; "NONE" for wildcards. */
    readonly resolution?: Resolution;
    /** For a wildcard through the gateway: the one host that serves all of them, e.g. "www.wikipedia.org". */
    readonly servingHost?: string;
    /** For a wildcard through the gateway to arbitrary hosts: forward by SNI through the SNI proxy. Default: false. */
    readonly sniProxy?: boolean;
    /** Gateway port for this destination. Default: 80 for HTTP, the app's port for TLS, 443 for origination. */
    readonly gatewayPort?: number;
    /** Create the ServiceEntry; false when the host is already in the mesh registry (a Kubernetes Service). Default: true. */
    readonly createServiceEntry?: boolean;
    /** Originate TLS: at the sidecar with egress DIRECT, otherwise at the gateway. Default: no origination. */
    readonly tls?: TlsOrigination;
    /**
     * Who may use this destination through the gateway. Default: the defaultAllowedSources of the
     * destinations; without either, nobody: the gateway refuses every caller (and preview warns).
     */
    readonly allowedSources?: AllowedSources;
}

export interface EgressDestinationsArgs {
    /** The egress gateway to route through. Omit when every destination is DIRECT. */
    readonly gateway?: EgressGatewayRef;
    /** Namespace of the Istio objects. Default: the gateway's namespace (required without a gateway). */
    readonly namespace?: string;
    /** The external destinations. */
    readonly destinations: EgressDestination[];
    /** The SNI proxy, for destinations with sniProxy: true. */
    readonly sniProxy?: SniProxyRef;
    /** Namespaces the objects are visible to ("." or "*" or names). Default: Istio's default, all. */
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
    readonly protocol: DestinationProtocol;
    /** "GATEWAY" or "DIRECT". */
    readonly egress: EgressMode;
    /** How TLS is originated, when it is: the mode and where, e.g. "MUTUAL at the gateway". */
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
 * External destinations, direct or through the egress gateway.
 * With an "ISTIO" gateway, one Gateway and the gateway's DestinationRules (a subset per
 * destination) are shared by every destination that uses it; each destination adds a
 * ServiceEntry and a two-hop VirtualService. With a "GATEWAY_API" gateway, each adds a
 * ServiceEntry and two HTTPRoutes (sidecars to the gateway, the gateway out), and one
 * DestinationRule gives the hop to the gateway Istio mTLS. With a waypoint (dataPlane
 * "AMBIENT"), each adds a ServiceEntry labelled to use it and an AuthorizationPolicy attached to
 * that ServiceEntry. All add a DestinationRule where TLS is originated.
 */
export class EgressDestinations extends pulumi.ComponentResource {
    /** Per destination: what it is and which objects it owns. */
    public readonly destinations: pulumi.Output<DestinationSummary[]>;
    /** `kind/namespace/name` of the objects shared by all destinations. */
    public readonly sharedObjects: pulumi.Output<string[]>;

    constructor(name: string, args: EgressDestinationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.EgressDestinations, name, {}, opts);
        const resolved = validateArgs(resolvedDestinationsSchema, args, this);
        const labels = managedLabels("EgressDestinations");
        const plan =
            resolved.gateway?.dataPlane === "AMBIENT"
                ? planWaypointDestinations(resolved, labels)
                : resolved.gateway?.api === "GATEWAY_API"
                  ? planGatewayApiDestinations(resolved, labels)
                  : planDestinations(resolved, labels);
        resolved.destinations.forEach((d, i) => {
            if (d.egress === "GATEWAY" && !d.sources) {
                pulumi.log.warn(
                    `destinations[${i}] (${d.name}): no allowedSources and no defaultAllowedSources: the egress gateway refuses every caller of ${d.host}`,
                    this,
                );
            }
        });

        for (const obj of plan.shared) {
            registerObject(childName(name, obj.metadata.name), obj, { parent: this });
        }
        for (const p of plan.perDestination) {
            for (const obj of p.objects) {
                registerObject(childName(name, obj.metadata.name), obj, { parent: this });
            }
        }
        this.destinations = pulumi.output(
            plan.perDestination.map((p): DestinationSummary => ({
                name: p.destination.name,
                host: p.destination.host,
                port: p.destination.port,
                protocol: p.destination.protocol,
                egress: p.destination.egress,
                ...(p.destination.tls
                    ? { origination: `${p.destination.tls.mode} at the ${p.destination.egress === "GATEWAY" ? "gateway" : "sidecar"}` }
                    : {}),
                objects: p.objects.map(objectId),
                allowedSources: describeSources(p.destination),
            })),
        );
        this.sharedObjects = pulumi.output(plan.shared.map(objectId));
        this.registerOutputs({ destinations: this.destinations, sharedObjects: this.sharedObjects });
    }
}
