// The package's public API, by name: the components, their args and outputs, the enums the args
// use, and a few documented helpers. Builders and schemas stay internal. Importing it creates nothing.

export { Egress } from "./components/egress";
export { EgressArgs, EGRESS_ARGS_FIELDS } from "./components/egressArgs";
export { validateEgressArgs, EgressPlan } from "./components/egressPlan";

export {
    EgressGateway,
    EgressGatewayArgs,
    EgressGatewayOptions,
    GatewayPort,
    Autoscaling,
    ResourceRequirements,
    ResourceQuantities,
    Toleration,
    PodDisruptionBudget,
    GatewayChart,
    AccessLogging,
    EgressGatewayRef,
    ISTIO_CHART_REPOSITORY,
    ISTIO_GATEWAY_CHART_VERSION,
} from "./components/egressGateway";
export {
    EgressDestinations,
    EgressDestinationsArgs,
    EgressDestination,
    TlsOrigination,
    AllowedSources,
    DestinationSummary,
} from "./components/egressDestinations";
export { SniProxy, SniProxyArgs, SniProxyOptions, SniProxyRoute, SniProxyRef, DEFAULT_SNI_PROXY_IMAGE } from "./components/sniProxy";
export {
    KubernetesEgressService,
    KubernetesEgressServiceArgs,
    KubernetesEgressServiceOptions,
    KubernetesEgressServicePort,
} from "./components/kubernetesEgressService";
export { ExternalHttpsProxy, ExternalHttpsProxyArgs, ExternalHttpsProxyOptions } from "./components/externalHttpsProxy";
export { ForwardProxyRouting, ForwardProxyRoutingArgs, ForwardProxyRoutingOptions } from "./components/forwardProxyRouting";
export {
    EgressNetworkPolicies,
    EgressNetworkPoliciesArgs,
    EgressNetworkPoliciesOptions,
    ControlPlaneEndpoint,
    ApiServerEndpoint,
    AllowedIpBlock,
} from "./components/egressNetworkPolicies";
export {
    RegistryOnlyOutbound,
    RegistryOnlyOutboundArgs,
    RegistryOnlyOutboundOptions,
    meshWideRegistryOnlyValues,
} from "./components/registryOnlyOutbound";
export {
    EgressCertificates,
    EgressCertificatesArgs,
    EgressCertificatesOptions,
    CertificateSubject,
    ServerCertificate,
    EgressCredential,
    IssuedServerCertificate,
} from "./components/egressCertificates";
export { CertificateAuthority, CertificateAuthorityArgs, CertificateAuthorityOptions, CaKeyPair } from "./certs/certificateAuthority";
export { LeafCertificate, LeafCertificateArgs } from "./certs/leafCertificate";
export { SdsCredential, SdsCredentialArgs } from "./certs/sdsCredential";
export { KeyAlgorithm } from "./certs/keyAlgorithm";
export {
    DestinationProtocol,
    EgressApi,
    DataPlane,
    EgressMode,
    Resolution,
    OriginationMode,
    GatewayPortProtocol,
    TolerationOperator,
    TaintEffect,
    EndpointsApi,
    ServiceTlsMode,
    CertificateUsage,
} from "./validation/modes";

export { TYPE_TOKENS } from "./base/typeTokens";
export { ComponentInputError } from "./base/componentArgs";
export { ValidationError } from "./validation/format";
export { sniProxyConfig, SniProxyConfigOptions, SniProxyListener } from "./proxy/sniProxyConfig";
