import { createHash } from "node:crypto";
import { GatewayRef, gatewayServiceHost } from "../validation/gateway";
import { ResolvedDestination, ResolvedDestinations } from "../validation/destinations";
import { isWildcard } from "../validation/common";
import type { GatewayApiObject } from "../gatewayapi/types";
import { allowNothingPolicySpec, destinationPolicySpec } from "./authorizationObjects";
import { allowsAnyone, sourceNamespaces } from "../validation/sources";
import {
    DestinationRuleSpec,
    GatewayServer,
    HttpRoute,
    IstioObject,
    ObjectMeta,
    PortProtocol,
    ServiceEntrySpec,
    ServicePort,
    Subset,
    TcpRoute,
    TlsRoute,
    VirtualServiceSpec,
    istioObject,
} from "./types";

// Pure builders: the Istio objects that route each destination, following the seeds' YAML.
// Shared objects (one Gateway, one DestinationRule for the gateway) serve every destination
// that goes through the gateway; per destination there is a ServiceEntry and a VirtualService,
// plus a DestinationRule where TLS is originated.

const MESH = "mesh";

/** Everything one destination contributes: its own objects, and its parts of the shared ones. */
export interface DestinationPlan {
    readonly destination: ResolvedDestination;
    /** Istio objects, and with a Gateway API gateway its routes. */
    readonly objects: (IstioObject | GatewayApiObject)[];
    readonly gatewayServer?: GatewayServer;
    readonly gatewaySubset?: Subset;
}

export interface DestinationsPlan {
    /** Shared objects: the Gateway and the gateway's DestinationRule (absent when nothing goes through the gateway). */
    readonly shared: IstioObject[];
    readonly perDestination: DestinationPlan[];
}

function meta(name: string, namespace: string, labels: Record<string, string>): ObjectMeta {
    return { name, namespace, labels };
}

function port(number: number, protocol: PortProtocol, targetPort?: number): ServicePort {
    const p: ServicePort = { number, protocol, name: `${protocol.toLowerCase()}-${number}` };
    return targetPort === undefined ? p : { ...p, targetPort };
}

function withExportTo<T extends object>(spec: T, exportTo: string[] | undefined): T {
    return exportTo ? { ...spec, exportTo } : spec;
}

/**
 * exportTo for an object the egress gateway must read too (the ServiceEntry of its upstream,
 * the VirtualService with its second hop): the namespaces asked for, plus the gateway's own.
 * Without it the gateway never sees its route and answers "no route matched".
 */
export function exportToWithGateway(
    exportTo: string[] | undefined,
    objectNamespace: string,
    gatewayNamespace: string,
): string[] | undefined {
    if (!exportTo || exportTo.includes("*")) {
        return exportTo;
    }
    const own = gatewayNamespace === objectNamespace ? "." : gatewayNamespace;
    if (exportTo.includes(own) || (own === "." && exportTo.includes(objectNamespace))) {
        return exportTo;
    }
    return [...exportTo, own];
}

/**
 * The ServiceEntry that registers the external host (or the wildcard's serving host) with the
 * mesh. `originateOnAppPort`: the proxy that originates TLS sees the app's port (a sidecar, a
 * waypoint), so that port maps to the TLS port.
 */
export function serviceEntrySpec(
    d: ResolvedDestination,
    exportTo?: string[],
    originateOnAppPort = d.egress === "DIRECT",
): ServiceEntrySpec {
    const host = d.servingHost ?? d.host;
    let ports: ServicePort[];
    if (d.tls && originateOnAppPort) {
        // S4: the app calls port 80; the sidecar sends it to 443 and a DestinationRule adds TLS.
        ports = [port(d.port, "HTTP", d.tls.port), port(d.tls.port, "HTTPS")];
    } else if (d.tls) {
        ports = [port(d.port, "HTTP"), port(d.tls.port, "HTTPS")];
    } else {
        ports = [port(d.port, d.protocol)];
    }
    const resolution = isWildcard(host) ? "NONE" : d.resolution;
    return withExportTo({ hosts: [host], ports, location: "MESH_EXTERNAL", resolution }, exportTo);
}

/**
 * The SNI a sidecar sends to the gateway inside Istio mTLS: the host, or for a wildcard one name
 * it covers (the real SNI of the app's own TLS travels inside, untouched).
 */
export function gatewaySni(d: ResolvedDestination): string {
    return isWildcard(d.host) ? `istio-egress.${d.host.slice(2)}` : d.host;
}

/**
 * The destination's Gateway server. Every hop to the gateway is Istio mutual TLS, so the gateway
 * knows the caller's identity: HTTP (and HTTP to originate TLS for) is terminated as HTTPS
 * ISTIO_MUTUAL, the app's own TLS as TLS ISTIO_MUTUAL with the inner stream forwarded by a tcp
 * route. A terminated TLS server forwards by its tcp route, which must not be shared between
 * hosts: one server per TLS destination.
 */
function gatewayServer(d: ResolvedDestination): GatewayServer {
    const number = d.gatewayPort as number;
    const protocol = d.protocol === "TLS" && !d.tls ? "TLS" : "HTTPS";
    return {
        port: { number, protocol, name: `${protocol.toLowerCase()}-${number}-${d.name}` },
        hosts: [d.host],
        tls: { mode: "ISTIO_MUTUAL" },
    };
}

/**
 * The Gateway's servers: HTTPS servers on the same port merged into one (routed by host), TLS
 * servers one per destination. Envoy builds a filter chain per server and puts the gateway's
 * whole RBAC filter (every destination's policy) on each, so a chain per HTTP destination made
 * the gateway's configuration grow with the square of the destinations.
 */
function gatewayServers(servers: GatewayServer[]): GatewayServer[] {
    const out: GatewayServer[] = [];
    const https = new Map<number, GatewayServer>();
    for (const server of servers) {
        if (server.port.protocol !== "HTTPS") {
            out.push(server);
            continue;
        }
        const merged = https.get(server.port.number);
        if (merged) {
            merged.hosts.push(...server.hosts);
            continue;
        }
        const first = { ...server, port: { ...server.port, name: `https-${server.port.number}` }, hosts: [...server.hosts] };
        https.set(server.port.number, first);
        out.push(first);
    }
    return out;
}

function gatewaySubset(d: ResolvedDestination): Subset {
    return {
        name: d.name,
        trafficPolicy: {
            portLevelSettings: [{ port: { number: d.gatewayPort as number }, tls: { mode: "ISTIO_MUTUAL", sni: gatewaySni(d) } }],
        },
    };
}

/** Where the gateway sends the traffic on its second hop. */
function upstream(d: ResolvedDestination, sniProxyHost: string | undefined): { host: string; port: number } {
    if (d.sniProxy && sniProxyHost) {
        return { host: sniProxyHost, port: d.port };
    }
    return { host: d.servingHost ?? d.host, port: d.tls ? d.tls.port : d.port };
}

/** The two-hop VirtualService: mesh → egress gateway, egress gateway → external (or SNI proxy). */
export function twoHopVirtualServiceSpec(
    d: ResolvedDestination,
    gateway: GatewayRef,
    sniProxyHost: string | undefined,
    exportTo?: string[],
): VirtualServiceSpec {
    const gwName = `${gateway.namespace}/${gateway.name}`;
    const gwHost = gatewayServiceHost(gateway);
    const gwPort = d.gatewayPort as number;
    const toGateway = { destination: { host: gwHost, subset: d.name, port: { number: gwPort } }, weight: 100 };
    const up = upstream(d, sniProxyHost);
    const toExternal = { destination: { host: up.host, port: { number: up.port } }, weight: 100 };
    const spec: VirtualServiceSpec = { hosts: [d.host], gateways: [gwName, MESH] };
    if (d.protocol === "TLS") {
        // The gateway terminates the Istio mTLS and forwards the app's TLS stream as it is.
        const tls: TlsRoute[] = [{ match: [{ gateways: [MESH], port: d.port, sniHosts: [d.host] }], route: [toGateway] }];
        const tcp: TcpRoute[] = [{ match: [{ gateways: [gwName], port: gwPort }], route: [toExternal] }];
        spec.tls = tls;
        spec.tcp = tcp;
    } else {
        const http: HttpRoute[] = [
            { name: "mesh-to-egress-gateway", match: [{ gateways: [MESH], port: d.port }], route: [toGateway] },
            { name: "egress-gateway-to-external", match: [{ gateways: [gwName], port: gwPort }], route: [toExternal] },
        ];
        spec.http = http;
    }
    return withExportTo(spec, exportTo);
}

/** DestinationRule that originates TLS to the external host (at the sidecar, or at the gateway). */
export function originationDestinationRuleSpec(
    d: ResolvedDestination,
    exportTo?: string[],
    originateOnAppPort = d.egress === "DIRECT",
): DestinationRuleSpec {
    const tls = d.tls;
    if (!tls) {
        throw new Error(`destination ${d.name} has no TLS origination`);
    }
    // At the sidecar the app's port is rewritten to tls.port by the ServiceEntry's targetPort,
    // and Envoy keys the cluster by the ServiceEntry port: settings go on the app's port.
    const atPort = originateOnAppPort ? d.port : tls.port;
    const settings = {
        mode: tls.mode,
        ...(tls.credentialName ? { credentialName: tls.credentialName } : {}),
        sni: tls.sni,
        ...(tls.subjectAltNames ? { subjectAltNames: tls.subjectAltNames } : {}),
    };
    return withExportTo({ host: d.host, trafficPolicy: { portLevelSettings: [{ port: { number: atPort }, tls: settings }] } }, exportTo);
}

/**
 * The namespaces that receive a destination's configuration when no exportTo is given: the
 * namespaces of its allowed sources (a namespace that may not use it gets none of it), all of
 * them for "*"; for a gateway destination nobody may use, none but the gateway's own.
 */
export function exportToForSources(d: ResolvedDestination): string[] | undefined {
    if (!d.sources) {
        return d.egress === "GATEWAY" ? [] : undefined;
    }
    return allowsAnyone(d.sources) ? undefined : sourceNamespaces(d.sources);
}

/**
 * The gateway's DestinationRules: its subsets, split so that a sidecar sees the subsets of the
 * destinations its namespace may use and no others (Envoy builds a cluster for every subset a
 * sidecar sees). A sidecar must see exactly one rule for the gateway host, though: it uses one
 * (the last), and Istio keeps rules with different exportTo sets apart. So namespaces are grouped
 * by the destinations they may use, one rule per group, exported to it. One group (or a
 * destination anyone may use, or an explicit exportTo) keeps the single rule named after the
 * gateway; several are named after their namespace, or a hash of the group.
 */
function gatewaySubsetRules(
    viaGateway: DestinationPlan[],
    exportTo: string[] | undefined,
    gatewayName: string,
): { name: string; exportTo: string[] | undefined; subsets: Subset[] }[] {
    const subsets = viaGateway.map((p) => p.gatewaySubset as Subset);
    const one = (to: string[] | undefined) => [{ name: gatewayName, exportTo: to, subsets }];
    const visible = viaGateway.map((p) => exportToForSources(p.destination));
    if (exportTo || visible.some((v) => v === undefined)) {
        return one(exportTo);
    }
    // For each namespace, the destinations it may use. A destination nobody may use goes with
    // every group: its VirtualService names its subset, and no sidecar can use it anyway.
    const usedBy = new Map<string, number[]>();
    const closed: number[] = [];
    visible.forEach((namespaces = [], i) => {
        if (namespaces.length === 0) {
            closed.push(i);
        }
        for (const ns of namespaces) {
            usedBy.set(ns, [...(usedBy.get(ns) ?? []), i]);
        }
    });
    const groups = new Map<string, { namespaces: string[]; uses: number[] }>();
    for (const [ns, uses] of usedBy) {
        const key = uses.join(",");
        groups.set(key, { namespaces: [...(groups.get(key)?.namespaces ?? []), ns], uses });
    }
    if (groups.size <= 1) {
        return one(usedBy.size > 0 ? [...usedBy.keys()] : ["."]);
    }
    return [...groups.values()].map((g) => ({
        name: `${gatewayName}-subsets-${subsetRuleLabel(g.namespaces)}`,
        exportTo: g.namespaces,
        subsets: [...g.uses, ...closed].sort((x, y) => x - y).map((i) => subsets[i] as Subset),
    }));
}

function subsetRuleLabel(namespaces: string[]): string {
    const only = namespaces.length === 1 ? (namespaces[0] as string) : undefined;
    if (only && only.length <= 40) {
        return only;
    }
    return createHash("sha256")
        .update([...namespaces].sort().join(","))
        .digest("hex")
        .slice(0, 10);
}

/**
 * Per destination, in order: DIRECT ones as planDestinations plans them (they never touch the
 * gateway, whatever its API), the ones through the gateway from `viaGateway`.
 */
export function planEachDestination(
    args: ResolvedDestinations,
    labels: Record<string, string>,
    viaGateway: (d: ResolvedDestination) => (IstioObject | GatewayApiObject)[],
): DestinationPlan[] {
    const direct = planDestinations({ ...args, destinations: args.destinations.filter((d) => d.egress !== "GATEWAY") }, labels);
    const directPlans = new Map(direct.perDestination.map((p) => [p.destination, p]));
    return args.destinations.map((d) => directPlans.get(d) ?? { destination: d, objects: viaGateway(d) });
}

/** Plans every object for a validated set of destinations. */
export function planDestinations(args: ResolvedDestinations, labels: Record<string, string>): DestinationsPlan {
    const perDestination = args.destinations.map((d): DestinationPlan => {
        const objects: IstioObject[] = [];
        const m = meta(d.name, args.namespace, labels);
        const visibleTo = args.exportTo ?? exportToForSources(d);
        const seenByGateway =
            d.egress === "GATEWAY" && args.gateway ? exportToWithGateway(visibleTo, args.namespace, args.gateway.namespace) : visibleTo;
        if (d.createServiceEntry) {
            objects.push(istioObject("ServiceEntry", m, serviceEntrySpec(d, seenByGateway)));
        }
        if (d.egress === "DIRECT") {
            if (d.tls) {
                objects.push(istioObject("DestinationRule", m, originationDestinationRuleSpec(d, visibleTo)));
            }
            return { destination: d, objects };
        }
        const gateway = args.gateway as GatewayRef;
        objects.push(istioObject("VirtualService", m, twoHopVirtualServiceSpec(d, gateway, args.sniProxy?.host, seenByGateway)));
        const policy = destinationPolicySpec(d, gateway, gatewaySni(d));
        if (policy) {
            objects.push(istioObject("AuthorizationPolicy", m, policy));
        }
        if (d.tls) {
            // Only the gateway originates: the rule is for its pods alone (exportTo "." and a
            // workloadSelector, which is also what lets Istio use credentialName at a gateway).
            objects.push(
                istioObject("DestinationRule", m, {
                    ...originationDestinationRuleSpec(d, ["."]),
                    workloadSelector: { matchLabels: gateway.selector },
                }),
            );
        }
        return { destination: d, objects, gatewayServer: gatewayServer(d), gatewaySubset: gatewaySubset(d) };
    });
    const shared: IstioObject[] = [];
    const viaGateway = perDestination.filter((p) => p.gatewayServer);
    if (args.gateway && viaGateway.length > 0) {
        const gateway = args.gateway;
        const gm = meta(gateway.name, gateway.namespace, labels);
        shared.push(
            istioObject("Gateway", gm, {
                selector: gateway.selector,
                servers: gatewayServers(viaGateway.map((p) => p.gatewayServer as GatewayServer)),
            }),
        );
        for (const group of gatewaySubsetRules(viaGateway, args.exportTo, gateway.name)) {
            shared.push(
                istioObject(
                    "DestinationRule",
                    meta(group.name, gateway.namespace, labels),
                    withExportTo({ host: gatewayServiceHost(gateway), subsets: group.subsets }, group.exportTo),
                ),
            );
        }
        shared.push(istioObject("AuthorizationPolicy", gm, allowNothingPolicySpec(gateway)));
    }
    return { shared, perDestination };
}
