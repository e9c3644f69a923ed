// Typed subset of Istio's networking.istio.io/v1 and security.istio.io/v1 APIs: exactly the fields this package writes.
// Tests validate every generated object against the CRD OpenAPI schemas in
// ../shared/istio/crd-all.gen.yaml, with unknown fields rejected, so these types cannot drift.

export const ISTIO_NETWORKING_API = "networking.istio.io/v1";

export interface ObjectMeta {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface PortSelector {
    number: number;
}

// ---- ServiceEntry ----
export type ServiceEntryResolution = "NONE" | "STATIC" | "DNS" | "DNS_ROUND_ROBIN";
export type ServiceEntryLocation = "MESH_EXTERNAL" | "MESH_INTERNAL";
export type PortProtocol = "HTTP" | "HTTPS" | "HTTP2" | "GRPC" | "TLS" | "TCP" | "MONGO";

export interface ServicePort {
    number: number;
    protocol: PortProtocol;
    name: string;
    targetPort?: number;
}

export interface WorkloadEntry {
    address: string;
    ports?: Record<string, number>;
}

export interface ServiceEntrySpec {
    hosts: string[];
    addresses?: string[];
    ports: ServicePort[];
    location: ServiceEntryLocation;
    resolution: ServiceEntryResolution;
    endpoints?: WorkloadEntry[];
    exportTo?: string[];
}

// ---- Gateway ----
export type ServerTlsMode = "PASSTHROUGH" | "SIMPLE" | "MUTUAL" | "AUTO_PASSTHROUGH" | "ISTIO_MUTUAL" | "OPTIONAL_MUTUAL";

export interface GatewayServer {
    port: { number: number; protocol: PortProtocol; name: string };
    hosts: string[];
    tls?: { mode: ServerTlsMode; credentialName?: string };
}

export interface GatewaySpec {
    selector: Record<string, string>;
    servers: GatewayServer[];
}

// ---- VirtualService ----
export interface Destination {
    host: string;
    subset?: string;
    port?: PortSelector;
}

export interface RouteDestination {
    destination: Destination;
    weight?: number;
}

export interface HttpMatchRequest {
    gateways?: string[];
    port?: number;
}

export interface HttpRoute {
    name?: string;
    match?: HttpMatchRequest[];
    route: RouteDestination[];
}

export interface TlsMatchAttributes {
    sniHosts: string[];
    gateways?: string[];
    port?: number;
}

export interface TlsRoute {
    match: TlsMatchAttributes[];
    route: RouteDestination[];
}

export interface L4MatchAttributes {
    gateways?: string[];
    port?: number;
}

export interface TcpRoute {
    match?: L4MatchAttributes[];
    route: RouteDestination[];
}

export interface VirtualServiceSpec {
    hosts: string[];
    gateways?: string[];
    http?: HttpRoute[];
    tls?: TlsRoute[];
    tcp?: TcpRoute[];
    exportTo?: string[];
}

// ---- DestinationRule ----
export type ClientTlsMode = "DISABLE" | "SIMPLE" | "MUTUAL" | "ISTIO_MUTUAL";

export interface ClientTlsSettings {
    mode: ClientTlsMode;
    credentialName?: string;
    sni?: string;
    subjectAltNames?: string[];
}

export interface PortTrafficPolicy {
    port: PortSelector;
    tls?: ClientTlsSettings;
    loadBalancer?: { simple: "ROUND_ROBIN" | "LEAST_REQUEST" | "RANDOM" | "PASSTHROUGH" };
}

export interface TrafficPolicy {
    tls?: ClientTlsSettings;
    portLevelSettings?: PortTrafficPolicy[];
}

export interface Subset {
    name: string;
    labels?: Record<string, string>;
    trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
    host: string;
    trafficPolicy?: TrafficPolicy;
    subsets?: Subset[];
    exportTo?: string[];
    /** Only the workloads with these labels (in the rule's namespace) use the rule. */
    workloadSelector?: { matchLabels: Record<string, string> };
}

// ---- Sidecar ----
export interface SidecarSpec {
    workloadSelector?: { labels: Record<string, string> };
    egress?: { hosts: string[]; port?: { number: number; protocol: PortProtocol; name: string } }[];
    outboundTrafficPolicy: { mode: "REGISTRY_ONLY" | "ALLOW_ANY" };
}

// ---- AuthorizationPolicy (security.istio.io/v1) ----
export const ISTIO_SECURITY_API = "security.istio.io/v1";

export interface AuthorizationSource {
    principals?: string[];
    namespaces?: string[];
    /** "<namespace>/<service account>". */
    serviceAccounts?: string[];
}

export interface AuthorizationOperation {
    hosts?: string[];
    ports?: string[];
}

export interface AuthorizationRule {
    from?: { source: AuthorizationSource }[];
    to?: { operation: AuthorizationOperation }[];
    when?: { key: string; values: string[] }[];
}

/** A policy's target (a waypoint's ServiceEntry, a Gateway) instead of a workload selector. */
export interface PolicyTargetReference {
    group: string;
    kind: string;
    name: string;
}

export interface AuthorizationPolicySpec {
    selector?: { matchLabels: Record<string, string> };
    targetRefs?: PolicyTargetReference[];
    action?: "ALLOW" | "DENY";
    rules?: AuthorizationRule[];
}

// ---- Telemetry (telemetry.istio.io/v1) ----
export const ISTIO_TELEMETRY_API = "telemetry.istio.io/v1";

export interface TelemetrySpec {
    selector?: { matchLabels: Record<string, string> };
    targetRefs?: PolicyTargetReference[];
    accessLogging: { providers: { name: string }[]; disabled?: boolean }[];
}

export interface IstioSpecs {
    ServiceEntry: ServiceEntrySpec;
    Gateway: GatewaySpec;
    VirtualService: VirtualServiceSpec;
    DestinationRule: DestinationRuleSpec;
    Sidecar: SidecarSpec;
    AuthorizationPolicy: AuthorizationPolicySpec;
    Telemetry: TelemetrySpec;
}

export type IstioKind = keyof IstioSpecs;

const API_VERSIONS: Record<IstioKind, string> = {
    ServiceEntry: ISTIO_NETWORKING_API,
    Gateway: ISTIO_NETWORKING_API,
    VirtualService: ISTIO_NETWORKING_API,
    DestinationRule: ISTIO_NETWORKING_API,
    Sidecar: ISTIO_NETWORKING_API,
    AuthorizationPolicy: ISTIO_SECURITY_API,
    Telemetry: ISTIO_TELEMETRY_API,
};

/** An Istio object as it is applied to the cluster. */
export interface IstioObject<K extends IstioKind = IstioKind> {
    apiVersion: string;
    kind: K;
    metadata: ObjectMeta;
    spec: IstioSpecs[K];
}

export function istioObject<K extends IstioKind>(kind: K, metadata: ObjectMeta, spec: IstioSpecs[K]): IstioObject<K> {
    return { apiVersion: API_VERSIONS[kind], kind, metadata, spec };
}
