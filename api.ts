// The package's public API: everything other Pulumi programs import. Importing it creates nothing.
export * from "./components/egress";
export * from "./components/egressGateway";
export * from "./components/egressDestinations";
export * from "./components/sniProxy";
export * from "./components/kubernetesEgressService";
export * from "./components/externalHttpsProxy";
export * from "./components/forwardProxyRouting";
export * from "./components/egressNetworkPolicies";
export * from "./components/registryOnlyOutbound";
export * from "./components/egressCertificates";
export * from "./certs/keyAlgorithm";
export * from "./certs/certificateAuthority";
export * from "./certs/leafCertificate";
export * from "./certs/sdsCredential";
export { TYPE_TOKENS } from "./components/tokens";
export { ValidationError } from "./validation/format";
export { sniProxyConfig } from "./proxy/sniProxyConfig";
export * as istio from "./istio/types";
