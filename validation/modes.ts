// The modes args choose from, as enums other languages see (`as const` objects: TypeScript
// callers may pass the plain strings; the component provider's schema lists the values).

/** What the application sends to a destination. */
export const DestinationProtocol = {
    /** Plain HTTP (the mesh may originate TLS). */
    Http: "HTTP",
    /** TLS the application opens itself: routed by SNI, passed through. */
    Tls: "TLS",
} as const;
export type DestinationProtocol = (typeof DestinationProtocol)[keyof typeof DestinationProtocol];

/** How traffic to a destination leaves the mesh. */
export const EgressMode = {
    /** Through the egress gateway, where access is enforced. */
    Gateway: "GATEWAY",
    /** Straight out of the calling workload's sidecar (no gateway, no access check there). */
    Direct: "DIRECT",
} as const;
export type EgressMode = (typeof EgressMode)[keyof typeof EgressMode];

/** Which API routes traffic through the egress gateway. */
export const EgressApi = {
    /** Istio's own objects: the gateway chart, a Gateway, VirtualServices and subsets. */
    Istio: "ISTIO",
    /** The Kubernetes Gateway API as Istio implements it: a Gateway of class istio that istiod deploys, and HTTPRoutes. */
    GatewayApi: "GATEWAY_API",
} as const;
export type EgressApi = (typeof EgressApi)[keyof typeof EgressApi];

/** How the calling workloads are in the mesh, and so what their egress passes. */
export const DataPlane = {
    /** Sidecars: routes to the egress gateway, which checks each caller's identity. */
    Sidecar: "SIDECAR",
    /** Ambient mode: ztunnel sends the destinations to a waypoint, which checks each caller's identity and goes out. */
    Ambient: "AMBIENT",
} as const;
export type DataPlane = (typeof DataPlane)[keyof typeof DataPlane];

/** How the mesh resolves a destination's addresses (ServiceEntry resolution). */
export const Resolution = {
    /** Resolve the host by DNS, every address an endpoint. */
    Dns: "DNS",
    /** Resolve the host by DNS, one connection at a time to whichever address DNS returns. */
    DnsRoundRobin: "DNS_ROUND_ROBIN",
    /** No resolution: forward to the address the caller connected to (wildcards). */
    None: "NONE",
} as const;
export type Resolution = (typeof Resolution)[keyof typeof Resolution];

/** How the mesh originates TLS to an external host. */
export const OriginationMode = {
    /** Server authentication only. */
    Simple: "SIMPLE",
    /** With a client certificate (at the egress gateway only). */
    Mutual: "MUTUAL",
} as const;
export type OriginationMode = (typeof OriginationMode)[keyof typeof OriginationMode];

/** What a port of the egress gateway carries. */
export const GatewayPortProtocol = {
    /** Plain HTTP from sidecars. */
    Http: "HTTP",
    /** TLS: passthrough, or Istio mTLS from sidecars for origination at the gateway. */
    Tls: "TLS",
} as const;
export type GatewayPortProtocol = (typeof GatewayPortProtocol)[keyof typeof GatewayPortProtocol];

/** How a toleration matches a taint. */
export const TolerationOperator = {
    /** Any value of the key (or, with an empty key, every taint). */
    Exists: "Exists",
    /** The given value. */
    Equal: "Equal",
} as const;
export type TolerationOperator = (typeof TolerationOperator)[keyof typeof TolerationOperator];

/** The effect of a taint a toleration matches. */
export const TaintEffect = {
    NoSchedule: "NoSchedule",
    PreferNoSchedule: "PreferNoSchedule",
    NoExecute: "NoExecute",
} as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];

/** Which Kubernetes API holds the endpoints of a selector-less Service. */
export const EndpointsApi = {
    /** discovery.k8s.io/v1 EndpointSlice. */
    EndpointSlice: "EndpointSlice",
    /** The legacy core/v1 Endpoints. */
    Endpoints: "Endpoints",
} as const;
export type EndpointsApi = (typeof EndpointsApi)[keyof typeof EndpointsApi];

/** TLS from the sidecar to an external service behind a Kubernetes Service. */
export const ServiceTlsMode = {
    /** No TLS from the sidecar (the app sends what the service accepts, or does TLS itself). */
    Disable: "DISABLE",
    /** Originate TLS. */
    Simple: "SIMPLE",
} as const;
export type ServiceTlsMode = (typeof ServiceTlsMode)[keyof typeof ServiceTlsMode];

/** What a leaf certificate is for. */
export const CertificateUsage = {
    /** A TLS server; DNS names required. */
    Server: "SERVER",
    /** A client certificate the egress gateway presents for MUTUAL origination. */
    Client: "CLIENT",
} as const;
export type CertificateUsage = (typeof CertificateUsage)[keyof typeof CertificateUsage];
