// Typed subset of the Kubernetes Gateway API (gateway.networking.k8s.io/v1, v1.5.1, standard
// channel): exactly the fields this package writes. Tests validate every generated object
// against the CRD schemas in ../shared/gateway-api/, with unknown fields rejected.

import { ObjectMeta } from "../istio/types";

export const GATEWAY_API = "gateway.networking.k8s.io/v1";

/** Istio's GatewayClass for gateways istiod deploys. */
export const ISTIO_GATEWAY_CLASS = "istio";

/** Istio's GatewayClass for waypoints, and the label saying what traffic one takes. */
export const WAYPOINT_GATEWAY_CLASS = "istio-waypoint";
export const WAYPOINT_FOR_LABEL = "istio.io/waypoint-for";

/** The label that sends a ServiceEntry's traffic (or a namespace's) through a waypoint. */
export const USE_WAYPOINT_LABEL = "istio.io/use-waypoint";

/** The label istiod puts on every pod of a Gateway it deploys: how policies select them. */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

/** The listener TLS option with which Istio terminates Istio mutual TLS (the workload identity). */
export const TLS_TERMINATE_MODE_OPTION = "gateway.istio.io/tls-terminate-mode";

export interface Listener {
    name: string;
    port: number;
    protocol: "HTTP" | "HTTPS" | "TLS" | "HBONE";
    hostname?: string;
    tls?: { mode: "Terminate" | "Passthrough"; options?: Record<string, string> };
    allowedRoutes?: { namespaces: { from: "Same" | "All" } };
}

export interface GatewaySpec {
    gatewayClassName: string;
    listeners: Listener[];
    infrastructure?: { parametersRef?: { group: string; kind: string; name: string } };
}

export interface ParentReference {
    group?: string;
    kind?: string;
    name: string;
    namespace?: string;
    sectionName?: string;
    port?: number;
}

export interface BackendReference {
    group?: string;
    kind?: string;
    name: string;
    port: number;
}

export interface HttpRouteSpec {
    parentRefs: ParentReference[];
    hostnames?: string[];
    rules: { backendRefs: BackendReference[] }[];
}

export interface GatewayApiSpecs {
    Gateway: GatewaySpec;
    HTTPRoute: HttpRouteSpec;
}

export type GatewayApiKind = keyof GatewayApiSpecs;

/** A Gateway API object as it is applied to the cluster. */
export interface GatewayApiObject<K extends GatewayApiKind = GatewayApiKind> {
    apiVersion: typeof GATEWAY_API;
    kind: K;
    metadata: ObjectMeta;
    spec: GatewayApiSpecs[K];
}

export function gatewayApiObject<K extends GatewayApiKind>(kind: K, metadata: ObjectMeta, spec: GatewayApiSpecs[K]): GatewayApiObject<K> {
    return { apiVersion: GATEWAY_API, kind, metadata, spec };
}
