import { GatewayRef, gatewayServiceHost, gatewayServiceName } from "../validation/gateway";
import { ResolvedDestination, ResolvedDestinations } from "../validation/destinations";
import { allowNothingPolicySpec, destinationPolicySpec } from "../istio/authorizationObjects";
import {
    DestinationsPlan,
    exportToForSources,
    exportToWithGateway,
    originationDestinationRuleSpec,
    planEachDestination,
    serviceEntrySpec,
} from "../istio/destinationObjects";
import { IstioObject, istioObject } from "../istio/types";
import { listenerName } from "./gatewayObjects";
import { GatewayApiObject, HttpRouteSpec, gatewayApiObject } from "./types";

// Pure builders: the destinations through a Gateway API gateway, as Istio's egress task does it
// with the Gateway API: an HTTPRoute on the destination's ServiceEntry sends the sidecars to the
// gateway, and an HTTPRoute on the gateway's listener sends it out (backendRef kind Hostname).
// Identity and access stay Istio's: the sidecars reach the gateway over Istio mTLS (a
// DestinationRule, since istiod's gateway pods carry no tlsMode label for auto mTLS), and the
// gateway's AuthorizationPolicies decide who leaves, as with the Istio API.

const ISTIO_NETWORKING_GROUP = "networking.istio.io";

/** The mesh hop: every sidecar that sees the ServiceEntry sends the destination to the gateway. */
export function meshRouteSpec(d: ResolvedDestination, gateway: GatewayRef): HttpRouteSpec {
    return {
        parentRefs: [{ group: ISTIO_NETWORKING_GROUP, kind: "ServiceEntry", name: d.name, port: d.port }],
        rules: [{ backendRefs: [{ name: gatewayServiceName(gateway), port: d.gatewayPort as number }] }],
    };
}

/** The gateway hop: the destination's host on its listener, out to the external host (where TLS may be originated). */
export function gatewayRouteSpec(d: ResolvedDestination, gateway: GatewayRef): HttpRouteSpec {
    const port = d.tls ? d.tls.port : d.port;
    return {
        parentRefs: [{ name: gateway.name, sectionName: listenerName(d.gatewayPort as number) }],
        hostnames: [d.host],
        rules: [{ backendRefs: [{ group: ISTIO_NETWORKING_GROUP, kind: "Hostname", name: d.host, port }] }],
    };
}

function gatewayDestinationObjects(
    d: ResolvedDestination,
    args: ResolvedDestinations,
    labels: Record<string, string>,
): (IstioObject | GatewayApiObject)[] {
    const gateway = args.gateway as GatewayRef;
    const meta = (name: string) => ({ name, namespace: args.namespace, labels });
    const visibleTo = exportToWithGateway(args.exportTo ?? exportToForSources(d), args.namespace, gateway.namespace);
    const objects: (IstioObject | GatewayApiObject)[] = [
        istioObject("ServiceEntry", meta(d.name), serviceEntrySpec(d, visibleTo)),
        gatewayApiObject("HTTPRoute", meta(d.name), meshRouteSpec(d, gateway)),
        gatewayApiObject("HTTPRoute", meta(`${d.name}-gateway`), gatewayRouteSpec(d, gateway)),
    ];
    // One listener carries every destination of its port, routed by host: the host decides.
    const policy = destinationPolicySpec(d, gateway);
    if (policy) {
        objects.push(istioObject("AuthorizationPolicy", meta(d.name), policy));
    }
    if (d.tls) {
        objects.push(
            istioObject("DestinationRule", meta(d.name), {
                ...originationDestinationRuleSpec(d, ["."]),
                workloadSelector: { matchLabels: gateway.selector },
            }),
        );
    }
    return objects;
}

/**
 * The sidecars' DestinationRule for the gateway's Service: Istio mTLS, seen by the namespaces
 * that may use a destination through it (all of them when one is open to any workload).
 */
function gatewayMutualTlsExportTo(via: ResolvedDestination[], exportTo: string[] | undefined): string[] | undefined {
    if (exportTo) {
        return exportTo;
    }
    const visible = via.map(exportToForSources);
    if (visible.some((v) => v === undefined)) {
        return undefined;
    }
    const namespaces = [...new Set(visible.flatMap((v) => v ?? []))];
    return namespaces.length > 0 ? namespaces : ["."];
}

/** Plans every object for validated destinations whose gateway is a Gateway API gateway. */
export function planGatewayApiDestinations(args: ResolvedDestinations, labels: Record<string, string>): DestinationsPlan {
    const gateway = args.gateway as GatewayRef;
    const perDestination = planEachDestination(args, labels, (d) => gatewayDestinationObjects(d, args, labels));
    const via = args.destinations.filter((d) => d.egress === "GATEWAY");
    if (via.length === 0) {
        return { shared: [], perDestination };
    }
    const gm = { name: gateway.name, namespace: gateway.namespace, labels };
    const exportTo = gatewayMutualTlsExportTo(via, args.exportTo);
    const shared = [
        istioObject("DestinationRule", gm, {
            host: gatewayServiceHost(gateway),
            trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
            ...(exportTo ? { exportTo } : {}),
        }),
        istioObject("AuthorizationPolicy", gm, allowNothingPolicySpec(gateway)),
    ];
    return { shared, perDestination };
}
