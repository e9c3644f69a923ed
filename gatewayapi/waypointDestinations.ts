import { GatewayRef, gatewayServiceName } from "../validation/gateway";
import { ResolvedDestination, ResolvedDestinations } from "../validation/destinations";
import {
    DestinationsPlan,
    exportToWithGateway,
    originationDestinationRuleSpec,
    planEachDestination,
    serviceEntrySpec,
} from "../istio/destinationObjects";
import { policySources } from "../istio/authorizationObjects";
import { AuthorizationPolicySpec, IstioObject, istioObject } from "../istio/types";
import { USE_WAYPOINT_LABEL } from "./types";

// Pure builders: the destinations of an ambient mesh, through a waypoint as Istio's ambient
// egress guide does it. A ServiceEntry labelled istio.io/use-waypoint makes ztunnel send every
// caller's traffic for the host to the waypoint, over HBONE (the caller's identity included);
// an AuthorizationPolicy attached to the ServiceEntry (targetRefs) decides who leaves, and a
// DestinationRule in the waypoint's namespace originates TLS on the app's port.

/** Who may use the destination, as the waypoint checks it; no rules at all: allow nothing. */
export function waypointPolicySpec(d: ResolvedDestination): AuthorizationPolicySpec {
    const targetRefs = [{ group: "networking.istio.io", kind: "ServiceEntry", name: d.name }];
    const s = d.sources;
    if (!s) {
        return { targetRefs, action: "ALLOW" };
    }
    return { targetRefs, action: "ALLOW", rules: [{ from: policySources(s) }] };
}

function waypointDestinationObjects(d: ResolvedDestination, args: ResolvedDestinations, labels: Record<string, string>): IstioObject[] {
    const waypoint = args.gateway as GatewayRef;
    const meta = { name: d.name, namespace: args.namespace, labels };
    // Visible to every namespace unless exportTo says otherwise: ztunnel then sends every caller
    // to the waypoint, which refuses those not allowed (hidden, they would go straight out).
    const visibleTo = exportToWithGateway(args.exportTo, args.namespace, waypoint.namespace);
    const objects: IstioObject[] = [
        istioObject(
            "ServiceEntry",
            { ...meta, labels: { ...labels, [USE_WAYPOINT_LABEL]: gatewayServiceName(waypoint) } },
            serviceEntrySpec(d, visibleTo, true),
        ),
        istioObject("AuthorizationPolicy", meta, waypointPolicySpec(d)),
    ];
    if (d.tls) {
        // Read by the waypoint alone (exportTo "." in its namespace; ztunnel never originates).
        // No workloadSelector: a waypoint ignores rules that have one (the simulation shows it).
        objects.push(istioObject("DestinationRule", meta, originationDestinationRuleSpec(d, ["."], true)));
    }
    return objects;
}

/** Plans every object for validated destinations whose gateway is a waypoint. */
export function planWaypointDestinations(args: ResolvedDestinations, labels: Record<string, string>): DestinationsPlan {
    return { shared: [], perDestination: planEachDestination(args, labels, (d) => waypointDestinationObjects(d, args, labels)) };
}
