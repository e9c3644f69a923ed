/** Pulumi type tokens of the package's components: `istio-egress:index:<Class>`, in one place. */
export const TYPE_TOKENS = {
    Egress: "istio-egress:index:Egress",
    EgressCertificates: "istio-egress:index:EgressCertificates",
    EgressGateway: "istio-egress:index:EgressGateway",
    EgressDestinations: "istio-egress:index:EgressDestinations",
    SniProxy: "istio-egress:index:SniProxy",
    KubernetesEgressService: "istio-egress:index:KubernetesEgressService",
    ExternalHttpsProxy: "istio-egress:index:ExternalHttpsProxy",
    ForwardProxyRouting: "istio-egress:index:ForwardProxyRouting",
    EgressNetworkPolicies: "istio-egress:index:EgressNetworkPolicies",
    RegistryOnlyOutbound: "istio-egress:index:RegistryOnlyOutbound",
    CertificateAuthority: "istio-egress:index:CertificateAuthority",
    LeafCertificate: "istio-egress:index:LeafCertificate",
    SdsCredential: "istio-egress:index:SdsCredential",
} as const;
