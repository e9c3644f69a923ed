import * as assert from "node:assert/strict";
import { assertComponentInputError } from "./helpers/inputErrors";
import { resetRegistrations, settle } from "./helpers/mocks";
import {
    Egress,
    EgressArgs,
    EgressDestinations,
    EgressDestinationsArgs,
    EgressGateway,
    EgressGatewayArgs,
    EgressGatewayRef,
    EgressDestination,
    EgressNetworkPolicies,
    ExternalHttpsProxy,
    ForwardProxyRouting,
    KubernetesEgressService,
    RegistryOnlyOutbound,
    SniProxy,
} from "../api";

const GW: EgressGatewayRef = {
    name: "istio-egressgateway",
    namespace: "istio-system",
    selector: { istio: "egressgateway" },
    ports: [
        { port: 80, protocol: "HTTP" },
        { port: 443, protocol: "TLS" },
    ],
};
/** Input as stack config or JavaScript callers can send it, past TypeScript's checks. */
const untyped = (value: unknown): EgressDestination => value as EgressDestination;
const dest = (...destinations: EgressDestinationsArgs["destinations"]): EgressDestinationsArgs => ({ gateway: GW, destinations });

type Case = [description: string, build: (name: string) => unknown, message: string];

const cases: Case[] = [
    // Hosts and wildcards
    [
        "upper-case host",
        (n) => new EgressDestinations(n, dest({ host: "Edition.CNN.com" })),
        'destinations[0].host: "Edition.CNN.com" is not a valid host name',
    ],
    [
        "host without a dot",
        (n) => new EgressDestinations(n, dest({ host: "localhost" })),
        'destinations[0].host: "localhost" is not a valid host name',
    ],
    [
        "IP address as host",
        (n) => new EgressDestinations(n, dest({ host: "93.184.216.34" })),
        'destinations[0].host: "93.184.216.34" is an IP address',
    ],
    ["catch-all wildcard", (n) => new EgressDestinations(n, dest({ host: "*" })), 'destinations[0].host: "*" is not a supported wildcard'],
    [
        "wildcard in the middle",
        (n) => new EgressDestinations(n, dest({ host: "api.*.example.com" })),
        'destinations[0].host: "api.*.example.com" is not a supported wildcard',
    ],
    [
        "double wildcard",
        (n) => new EgressDestinations(n, dest({ host: "*.*.example.com" })),
        'destinations[0].host: "*.*.example.com" has more than one wildcard',
    ],
    [
        "empty label",
        (n) => new EgressDestinations(n, dest({ host: "api..example.com" })),
        'destinations[0].host: "api..example.com" is not a valid host name',
    ],
    [
        "wildcard with DNS resolution",
        (n) =>
            new EgressDestinations(n, {
                namespace: "default",
                destinations: [{ host: "*.example.com", protocol: "TLS", resolution: "DNS" }],
            }),
        'destinations[0].resolution: "DNS" cannot resolve wildcard host "*.example.com"',
    ],
    [
        "wildcard through the gateway with no serving host or SNI proxy",
        (n) => new EgressDestinations(n, dest({ host: "*.foo.com", protocol: "TLS" })),
        'destinations[0].host: "*.foo.com" through the egress gateway needs servingHost (one host serves them all) or sniProxy',
    ],
    [
        "servingHost on an exact host",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", protocol: "TLS", servingHost: "b.example.com" })),
        'destinations[0].servingHost: "b.example.com" is only for wildcard hosts',
    ],
    [
        "servingHost outside the wildcard",
        (n) => new EgressDestinations(n, dest({ host: "*.wikipedia.org", protocol: "TLS", servingHost: "www.example.com" })),
        'destinations[0].servingHost: "www.example.com" is not one of the hosts "*.wikipedia.org" names',
    ],
    // Ports and protocols
    [
        "port out of range",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", port: 70000 })),
        "destinations[0].port: 70000 is out of range 1-65535",
    ],
    [
        "port zero",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", port: 0 })),
        "destinations[0].port: 0 is out of range 1-65535",
    ],
    [
        "fractional port",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", port: 80.5 })),
        "destinations[0].port: 80.5 is not a port number",
    ],
    [
        "port as a string",
        (n) => new EgressDestinations(n, dest(untyped({ host: "a.example.com", port: "80" }))),
        'destinations[0].port: "80" is not a port number',
    ],
    [
        "unknown protocol",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", protocol: "UDP" as never })),
        'destinations[0].protocol: "UDP" is not one of "HTTP", "TLS"',
    ],
    [
        "unknown egress mode",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", egress: "gateway" as never })),
        'destinations[0].egress: "gateway" is not one of "GATEWAY", "DIRECT"',
    ],
    [
        "unknown resolution",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", resolution: "STATIC" as never })),
        'destinations[0].resolution: "STATIC" is not one of "DNS", "DNS_ROUND_ROBIN", "NONE"',
    ],
    [
        "same host twice: passed through and originated on one gateway port",
        (n) =>
            new EgressDestinations(
                n,
                dest(
                    { host: "api.example.com", protocol: "TLS" },
                    { name: "api-originated", host: "api.example.com", tls: { mode: "SIMPLE" } },
                ),
            ),
        'destinations[1].host: "api.example.com" is already routed by destinations[0]: sidecars take one VirtualService per host',
    ],
    [
        "a service account without its namespace",
        (n) => new EgressDestinations(n, dest({ host: "api.example.com", allowedSources: { serviceAccounts: ["checkout"] } })),
        'destinations[0].allowedSources.serviceAccounts[0]: "checkout" needs its namespace: "<namespace>/checkout"',
    ],
    [
        "a namespace that is not a name",
        (n) => new EgressDestinations(n, dest({ host: "api.example.com", allowedSources: { namespaces: ["Shop"] } })),
        'destinations[0].allowedSources.namespaces[0]: "Shop" is not a namespace name (or "*" for any namespace)',
    ],
    [
        '"*" beside named sources',
        (n) => new EgressDestinations(n, { ...dest({ host: "api.example.com" }), defaultAllowedSources: { namespaces: ["*", "shop"] } }),
        'defaultAllowedSources.namespaces: "*" already allows every workload: list nothing else beside it',
    ],
    [
        "allowedSources that name nobody",
        (n) => new EgressDestinations(n, dest({ host: "api.example.com", allowedSources: { namespaces: [] } })),
        "destinations[0].allowedSources: lists no namespace and no service account: omit it, or name who may use the destination",
    ],
    [
        'exportTo: mixing "*" with a namespace',
        (n) => new EgressDestinations(n, { ...dest({ host: "api.example.com" }), exportTo: ["*", "shop"] }),
        'exportTo: "*" cannot be combined with other entries (["*","shop"])',
    ],
    [
        "exportTo: an invalid namespace",
        (n) => new EgressDestinations(n, { ...dest({ host: "api.example.com" }), exportTo: ["Shop"] }),
        'exportTo[0]: "Shop" is not ".", "*", "~" or a namespace name',
    ],
    [
        "gateway port reused with another protocol",
        (n) =>
            new EgressDestinations(n, {
                gateway: {
                    ...GW,
                    ports: [
                        { port: 80, protocol: "HTTP" },
                        { port: 8443, protocol: "TLS" },
                    ],
                },
                destinations: [{ host: "a.example.com" }, { host: "b.example.com", protocol: "TLS", port: 8443, gatewayPort: 80 }],
            }),
        "destinations[1].gatewayPort: gateway port 80 carries HTTP, but this destination needs a TLS port",
    ],
    [
        "gateway port that the gateway does not have",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", protocol: "TLS", port: 8443 })),
        'destinations[0].port: gateway port 8443 (the default for this destination) is not a port of egress gateway "istio-egressgateway" (80/HTTP, 443/TLS)',
    ],
    [
        "gatewayPort on a DIRECT destination",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", egress: "DIRECT", gatewayPort: 80 })),
        'destinations[0].gatewayPort: is only used with egress "GATEWAY"',
    ],
    [
        "gateway ports reused",
        (n) =>
            new EgressGateway(n, {
                ports: [
                    { port: 443, protocol: "TLS" },
                    { port: 443, protocol: "HTTP" },
                ],
            }),
        'ports[1].port: duplicate gateway port "443"',
    ],
    // Duplicates and empties
    [
        "duplicate destination",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com" }, { host: "a.example.com" })),
        'destinations[1].host: duplicate destination name "a-example-com" (also at index 0)',
    ],
    [
        "duplicate destination names",
        (n) => new EgressDestinations(n, dest({ name: "api", host: "a.example.com" }, { name: "api", host: "b.example.com" })),
        'destinations[1].name: duplicate destination name "api"',
    ],
    ["empty destination list", (n) => new EgressDestinations(n, dest()), "destinations: needs at least one destination"],
    ["missing host", (n) => new EgressDestinations(n, dest(untyped({}))), "destinations[0].host: is required"],
    [
        "misspelled field",
        (n) => new EgressDestinations(n, dest(untyped({ host: "a.example.com", hots: "x" }))),
        "destinations[0].hots: unknown field",
    ],
    [
        "missing namespace without a gateway",
        (n) => new EgressDestinations(n, { destinations: [{ host: "a.example.com", egress: "DIRECT" }] }),
        "namespace: is required when no gateway is given",
    ],
    [
        "GATEWAY with no gateway",
        (n) => new EgressDestinations(n, { namespace: "default", destinations: [{ host: "a.example.com", egress: "GATEWAY" }] }),
        'destinations[0].egress: "GATEWAY" needs an egress gateway',
    ],
    [
        "bad destination name",
        (n) => new EgressDestinations(n, dest({ name: "Bad_Name", host: "a.example.com" })),
        'destinations[0].name: "Bad_Name" is not a valid name',
    ],
    // TLS origination
    [
        "MUTUAL at the sidecar",
        (n) =>
            new EgressDestinations(n, {
                namespace: "default",
                destinations: [{ host: "a.example.com", tls: { mode: "MUTUAL", credentialName: "c" } }],
            }),
        'destinations[0].tls.mode: "MUTUAL" origination happens at the egress gateway',
    ],
    [
        "MUTUAL without a client certificate",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", tls: { mode: "MUTUAL" } })),
        'destinations[0].tls.mode: "MUTUAL" needs tls.credentialName',
    ],
    [
        "origination of TLS traffic",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", protocol: "TLS", tls: {} })),
        "destinations[0].tls: TLS origination is for applications that send plain HTTP",
    ],
    [
        "SAN that does not match the host",
        (n) =>
            new EgressDestinations(
                n,
                dest({ host: "my-nginx.mesh-external.svc.cluster.local", tls: { subjectAltNames: ["other.example.com"] } }),
            ),
        'destinations[0].tls.subjectAltNames: none of ["other.example.com"] matches the host "my-nginx.mesh-external.svc.cluster.local"',
    ],
    [
        "unknown origination mode",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", tls: { mode: "ISTIO_MUTUAL" as never } })),
        'destinations[0].tls.mode: "ISTIO_MUTUAL" is not one of "SIMPLE", "MUTUAL"',
    ],
    // SNI proxy
    [
        "sniProxy with no proxy configured",
        (n) => new EgressDestinations(n, dest({ host: "*.example.com", protocol: "TLS", sniProxy: true })),
        "destinations[0].sniProxy: true needs an SNI proxy, and none is configured",
    ],
    [
        "sniProxy for HTTP",
        (n) =>
            new EgressDestinations(n, {
                ...dest({ host: "*.example.com", sniProxy: true }),
                sniProxy: { host: "p.istio-system.svc.cluster.local", ports: [443] },
            }),
        'destinations[0].sniProxy: the SNI proxy routes by SNI, so the destination\'s protocol must be "TLS"',
    ],
    [
        "SNI proxy config: a port without allowed hosts",
        (n) => new SniProxy(n, { routes: [{ port: 443, allowedHosts: [] }] }),
        "routes[0].allowedHosts: needs at least one allowed host",
    ],
    [
        "SNI proxy config: ports that meet inside the pod",
        (n) =>
            new SniProxy(n, {
                routes: [
                    { port: 443, allowedHosts: ["a.example.com"] },
                    { port: 10443, allowedHosts: ["b.example.com"] },
                ],
            }),
        'routes[1].port: duplicate in-pod listen port (a port below 1024 listens on port + 10000) "10443"',
    ],
    // Gateway
    [
        "replicas with autoscaling",
        (n) => new EgressGateway(n, { replicas: 2, autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
        "replicas: 2 conflicts with autoscaling",
    ],
    ["zero replicas", (n) => new EgressGateway(n, { replicas: 0 }), "replicas: Too small"],
    [
        "bad resource quantity",
        (n) => new EgressGateway(n, { resources: { requests: { cpu: "lots" } } }),
        'resources.requests.cpu: "lots" is not a Kubernetes quantity',
    ],
    [
        "unknown toleration effect",
        (n) => new EgressGateway(n, { tolerations: [{ key: "k", effect: "NoRun" as never }] }),
        'tolerations[0].effect: "NoRun" is not one of "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
    [
        "bad namespace",
        (n) => new EgressGateway(n, { namespace: "Istio_System" } as EgressGatewayArgs),
        'namespace: "Istio_System" is not a valid name',
    ],
    [
        "unknown gateway port protocol",
        (n) => new EgressGateway(n, { ports: [{ port: 80, protocol: "HTTPS" as never }] }),
        'ports[0].protocol: "HTTPS" is not one of "HTTP", "TLS"',
    ],
    // Proxies, services, policies
    [
        "proxy address that is not an IP/CIDR",
        (n) => new ExternalHttpsProxy(n, { name: "p", namespace: "default", addresses: ["proxy.corp"], port: 3128 }),
        'addresses[0]: "proxy.corp" is not an IP address or CIDR block',
    ],
    [
        "proxy CIDR prefix too long",
        (n) => new ExternalHttpsProxy(n, { name: "p", namespace: "default", addresses: ["10.0.0.0/33"], port: 3128 }),
        'addresses[0]: "10.0.0.0/33" is not an IP address or CIDR block',
    ],
    [
        "forward proxy address that is not an IP",
        (n) => new ForwardProxyRouting(n, { name: "p", namespace: "default", domains: ["*.qq.com"], proxyAddresses: ["nginx.local"] }),
        'proxyAddresses[0]: "nginx.local" is not an IP address',
    ],
    [
        "forward proxy with no domains",
        (n) => new ForwardProxyRouting(n, { name: "p", namespace: "default", domains: [], proxyAddresses: ["10.0.0.1"] }),
        "domains: needs at least one domain",
    ],
    [
        "Kubernetes service with both externalName and addresses",
        (n) =>
            new KubernetesEgressService(n, {
                name: "s",
                namespace: "default",
                externalName: "httpbin.org",
                addresses: ["1.2.3.4"],
                ports: [{ port: 80 }],
            }),
        "externalName: set exactly one of externalName",
    ],
    [
        "Kubernetes service with an unknown TLS mode",
        (n) =>
            new KubernetesEgressService(n, {
                name: "s",
                namespace: "default",
                externalName: "httpbin.org",
                ports: [{ port: 80 }],
                tlsMode: "ISTIO_MUTUAL" as never,
            }),
        'tlsMode: "ISTIO_MUTUAL" is not one of "DISABLE", "SIMPLE"',
    ],
    [
        "NetworkPolicy with no namespaces",
        (n) => new EgressNetworkPolicies(n, { namespaces: [], gateway: GW }),
        "namespaces: needs at least one namespace",
    ],
    [
        "NetworkPolicy on the Istio namespace",
        (n) => new EgressNetworkPolicies(n, { namespaces: ["istio-system"], gateway: GW }),
        "namespaces[0]: \"istio-system\" is the gateway's, istiod's or the DNS namespace",
    ],
    [
        "NetworkPolicy without the gateway",
        (n) => new EgressNetworkPolicies(n, { namespaces: ["shop"] }),
        "gateway: is required: fenced pods leave the cluster only through the egress gateway (EgressGateway.ref)",
    ],
    [
        "NetworkPolicy ipBlock that is not an address",
        (n) => new EgressNetworkPolicies(n, { namespaces: ["shop"], gateway: GW, ipBlocks: [{ cidr: "api.example.com" }] }),
        'ipBlocks[0].cidr: "api.example.com"',
    ],
    [
        "registry-only in the mesh root namespace",
        (n) => new RegistryOnlyOutbound(n, { namespaces: ["shop", "istio-system"] }),
        'namespaces[1]: "istio-system" is the mesh root namespace: a Sidecar there without a workloadSelector applies to every namespace (use the mesh-wide setting instead)',
    ],
    [
        "registry-only with a duplicate namespace",
        (n) => new RegistryOnlyOutbound(n, { namespaces: ["shop", "shop"] }),
        'namespaces[1]: duplicate namespace "shop"',
    ],
    // The same host claimed twice
    [
        "same host twice: one host through the gateway as HTTP and as TLS",
        (n) =>
            new EgressDestinations(
                n,
                dest({ name: "a-http", host: "a.example.com" }, { name: "a-tls", host: "a.example.com", protocol: "TLS" }),
            ),
        'destinations[1].host: "a.example.com" is already routed by destinations[0]',
    ],
    [
        "same host twice: a host in a destination and in a forward proxy",
        (n) =>
            new Egress(n, {
                namespace: "default",
                destinations: [{ host: "www.qq.com", egress: "DIRECT", tls: {} }],
                forwardProxies: [{ name: "nginx-proxy", namespace: "default", domains: ["www.qq.com"], proxyAddresses: ["10.0.0.1"] }],
            }),
        'forwardProxies[0].domains: "www.qq.com" is also destinations[0].host',
    ],
    // The values escape hatch and the chart
    [
        "values escape hatch: labels that change the gateway pods' selector",
        (n) => new EgressGateway(n, { values: { labels: { istio: "ingressgateway" } } }),
        "values.labels: is set through the typed args: use labels",
    ],
    [
        "values escape hatch: Service ports that replace the routes' ports",
        (n) => new EgressGateway(n, { values: { service: { ports: [] } } }),
        "values.service.ports: is set through the typed args: use ports",
    ],
    [
        "values escape hatch: a LoadBalancer egress gateway",
        (n) => new EgressGateway(n, { values: { service: { type: "LoadBalancer" } } }),
        'values.service.type: "LoadBalancer": an egress gateway\'s Service stays ClusterIP',
    ],
    [
        "values escape hatch: a gateway port on the chart's status port",
        (n) => new EgressGateway(n, { ports: [{ port: 15021, protocol: "HTTP" }] }),
        "ports[0].port: 15021 is the gateway chart's status port",
    ],
    [
        "values escape hatch: a PodDisruptionBudget the chart will not render",
        (n) => new EgressGateway(n, { autoscaling: { minReplicas: 1, maxReplicas: 3 }, podDisruptionBudget: { enabled: true } }),
        "podDisruptionBudget.enabled: true, but the gateway chart renders no PodDisruptionBudget when as few as 1 replica runs",
    ],
    [
        "values escape hatch: a toleration the API server refuses",
        (n) => new EgressGateway(n, { tolerations: [{ key: "dedicated", operator: "Exists", value: "egress" }] }),
        'tolerations[0].value: "egress" must be empty with operator "Exists"',
    ],
    [
        "messages: a wildcard with resolution NONE through the gateway is told what does help",
        (n) => new EgressDestinations(n, dest({ host: "*.foo.com", protocol: "TLS", resolution: "NONE" })),
        'destinations[0].host: "*.foo.com" through the egress gateway needs servingHost (one host serves them all) or sniProxy (arbitrary hosts): the gateway cannot route a wildcard by itself',
    ],
    // Policy: what no egress configuration should ever say
    [
        "policy: a wildcard over a whole top-level domain",
        (n) => new EgressDestinations(n, { namespace: "default", destinations: [{ host: "*.com", protocol: "TLS", resolution: "NONE" }] }),
        'destinations[0].host: "*.com" covers a whole top-level domain',
    ],
    [
        "policy: a wildcard over the cluster's own services",
        (n) =>
            new EgressDestinations(n, {
                namespace: "default",
                destinations: [{ host: "*.svc.cluster.local", protocol: "TLS", resolution: "NONE" }],
            }),
        'destinations[0].host: "*.svc.cluster.local" covers the cluster\'s own services',
    ],
    [
        "policy: every address as an external proxy",
        (n) => new ExternalHttpsProxy(n, { name: "p", namespace: "default", addresses: ["0.0.0.0/0"], port: 3128 }),
        'addresses[0]: "0.0.0.0/0" is every address',
    ],
    [
        "policy: a CIDR with host bits set",
        (n) => new ExternalHttpsProxy(n, { name: "p", namespace: "default", addresses: ["10.20.30.40/24"], port: 3128 }),
        'addresses[0]: "10.20.30.40/24" has host bits set',
    ],
    [
        "policy: the cloud metadata address as a service endpoint",
        (n) =>
            new KubernetesEgressService(n, { name: "meta", namespace: "default", addresses: ["169.254.169.254"], ports: [{ port: 80 }] }),
        'addresses[0]: "169.254.169.254" is the cloud metadata address 169.254.169.254',
    ],
    [
        "policy: a NetworkPolicy block containing the metadata address",
        (n) => new EgressNetworkPolicies(n, { namespaces: ["shop"], gateway: GW, ipBlocks: [{ cidr: "169.254.0.0/16" }] }),
        'ipBlocks[0].cidr: "169.254.0.0/16" contains the cloud metadata address',
    ],
    [
        "policy: a destination credential with a reserved prefix",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", tls: { credentialName: "istio-client" } })),
        'destinations[0].tls.credentialName: "istio-client" starts with "istio"',
    ],
    [
        "policy: a CA-only credential name for MUTUAL",
        (n) => new EgressDestinations(n, dest({ host: "a.example.com", tls: { mode: "MUTUAL", credentialName: "client-cacert" } })),
        'destinations[0].tls.credentialName: "client-cacert" ends with "-cacert"',
    ],
    [
        "policy: the gateway chart over plain HTTP",
        (n) => new EgressGateway(n, { chart: { repository: "http://charts.example.com" } }),
        'chart.repository: "http://charts.example.com" is not an https:// (or oci://) chart repository',
    ],
    [
        "policy: egress gateway labels that select the ingress gateway",
        (n) => new EgressGateway(n, { labels: { istio: "ingressgateway" } }),
        'labels: {"istio":"ingressgateway"} are the ingress gateway\'s labels',
    ],
    // Messages: never key material, bounded, one line
    [
        "messages: a private key where a certificate belongs is not shown",
        (n) =>
            new Egress(n, {
                gateway: {},
                certificates: {
                    authority: {
                        existing: {
                            certificatePem:
                                "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secret\n-----END PRIVATE KEY-----",
                            privateKeyPem: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----",
                        },
                    },
                },
            }),
        "certificates.authority.existing.certificatePem:",
    ],
    [
        "messages: a huge host name gives a bounded line",
        (n) => new EgressDestinations(n, dest({ host: `${"a".repeat(5000)}.example.com` })),
        "destinations[0].host:",
    ],
    [
        "messages: a PEM pasted as a host is not shown",
        (n) =>
            new EgressDestinations(
                n,
                dest({
                    host: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secret\n-----END PRIVATE KEY-----",
                }),
            ),
        'destinations[0].host: "(PEM hidden)" is not a valid host name',
    ],
    // Name collisions: two entries that would write one Kubernetes object, or one Pulumi name
    [
        "name collision: a destination named like the gateway",
        (n) =>
            new Egress(n, {
                gateway: {},
                destinations: [{ name: "istio-egressgateway", host: "api.example.com", allowedSources: { namespaces: ["shop"] } }],
            }),
        "destinations[0]: would write AuthorizationPolicy/istio-system/istio-egressgateway, which gateway also writes: give one of them another name",
    ],
    [
        "name collision: the same Kubernetes service listed twice",
        (n) =>
            new Egress(n, {
                kubernetesServices: [
                    { name: "my-httpbin", namespace: "default", externalName: "httpbin.org", ports: [{ port: 80, name: "http" }] },
                    { name: "my-httpbin", namespace: "default", externalName: "httpbin.org", ports: [{ port: 80, name: "http" }] },
                ],
            }),
        'kubernetesServices[1]: namespace "default" and name "my-httpbin" join to the same resource name as kubernetesServices[0]',
    ],
    [
        "name collision: a Kubernetes service named like a forward proxy's derived Service",
        (n) =>
            new Egress(n, {
                kubernetesServices: [{ name: "nginx-proxy-http", namespace: "default", addresses: ["10.0.0.9"], ports: [{ port: 8080 }] }],
                forwardProxies: [{ name: "nginx-proxy", namespace: "default", domains: ["*.qq.com"], proxyAddresses: ["10.0.0.1"] }],
            }),
        "forwardProxies[0]: would write Service/default/nginx-proxy-http, which kubernetesServices[0] also writes",
    ],
    [
        "name collision: names that join to the same resource name",
        (n) =>
            new Egress(n, {
                externalProxies: [
                    { name: "c", namespace: "a-b", addresses: ["10.0.0.1"], port: 3128 },
                    { name: "b-c", namespace: "a", addresses: ["10.0.0.2"], port: 3128 },
                ],
            }),
        'externalProxies[1]: namespace "a" and name "b-c" join to the same resource name as externalProxies[0] ("a-b-c")',
    ],
    [
        "name collision: a DIRECT destination and an external proxy with one name",
        (n) =>
            new Egress(n, {
                namespace: "default",
                destinations: [{ name: "corp", host: "api.example.com", egress: "DIRECT" }],
                externalProxies: [{ name: "corp", namespace: "default", addresses: ["10.0.0.1"], port: 3128 }],
            }),
        "externalProxies[0]: would write ServiceEntry/default/corp, which destinations[0] also writes",
    ],
    [
        "name collision: the SNI proxy named like the gateway",
        (n) =>
            new Egress(n, {
                gateway: {},
                sniProxy: { name: "istio-egressgateway" },
                destinations: [{ host: "*.wikipedia.org", protocol: "TLS", sniProxy: true }],
            }),
        "sniProxy: would write Deployment/istio-system/istio-egressgateway, which gateway also writes",
    ],
    // The whole setup (same paths as the stack config)
    [
        "Egress: bad host deep in the list",
        (n) =>
            new Egress(n, {
                gateway: {},
                destinations: [{ host: "a.example.com" }, { host: "b.example.com" }, { host: "*.foo.com", protocol: "TLS" }],
            } as EgressArgs),
        'destinations[2].host: "*.foo.com" through the egress gateway needs servingHost (one host serves them all) or sniProxy',
    ],
    [
        "Egress: bad gateway field",
        (n) => new Egress(n, { gateway: { replicas: -1 }, destinations: [{ host: "a.example.com" }] }),
        "gateway.replicas: Too small",
    ],
    ["Egress: unknown top-level key", (n) => new Egress(n, { gateways: {} } as unknown as EgressArgs), "gateways: unknown field"],
    [
        "Egress: SNI proxy port the gateway lacks",
        (n) =>
            new Egress(n, {
                gateway: {},
                sniProxy: {},
                destinations: [{ host: "*.example.com", protocol: "TLS", port: 9443, sniProxy: true }],
            }),
        'destinations[0].port: gateway port 9443 (the default for this destination) is not a port of egress gateway "istio-egressgateway"',
    ],
    // What a Gateway API gateway cannot do, refused instead of silently different.
    [
        "Gateway API: the app's own TLS through the gateway",
        (n) => new Egress(n, { gateway: { api: "GATEWAY_API" }, destinations: [{ host: "edition.cnn.com", protocol: "TLS" }] }),
        `destinations[0].protocol: "TLS" (the app's own TLS) cannot pass a Gateway API gateway with the caller's identity checked`,
    ],
    [
        "Gateway API: TLS by its port 443",
        (n) => new Egress(n, { gateway: { api: "GATEWAY_API" }, destinations: [{ host: "edition.cnn.com", port: 443 }] }),
        `destinations[0].port: "TLS" (the app's own TLS) cannot pass a Gateway API gateway`,
    ],
    [
        "Gateway API: a wildcard host",
        (n) =>
            new Egress(n, {
                gateway: { api: "GATEWAY_API" },
                destinations: [{ host: "*.wikipedia.org", protocol: "HTTP", servingHost: "www.wikipedia.org" }],
            }),
        `destinations[0].host: "*.wikipedia.org": a Gateway API gateway or waypoint takes exact hosts, not wildcards`,
    ],
    [
        "Gateway API: no ServiceEntry for the route to attach to",
        (n) =>
            new Egress(n, {
                gateway: { api: "GATEWAY_API" },
                destinations: [{ host: "my-nginx.mesh-external.svc.cluster.local", createServiceEntry: false, tls: { mode: "SIMPLE" } }],
            }),
        "destinations[0].createServiceEntry: false: through a Gateway API gateway the sidecars' route attaches to the destination's own ServiceEntry",
    ],
    [
        "Gateway API: a chart",
        (n) => new EgressGateway(n, { api: "GATEWAY_API", chart: { version: "1.30.3" } }),
        'chart: is for the gateway chart: with api "GATEWAY_API" istiod deploys the gateway',
    ],
    [
        "Gateway API: chart values",
        (n) => new Egress(n, { gateway: { api: "GATEWAY_API", values: { service: { type: "ClusterIP" } } } }),
        `gateway.values: are the gateway chart's: with api "GATEWAY_API" istiod deploys the gateway`,
    ],
    [
        "Gateway API: pod labels",
        (n) => new EgressGateway(n, { api: "GATEWAY_API", labels: { istio: "egressgateway" } }),
        "labels: cannot select the pods",
    ],
    [
        "Gateway API: a targetPort",
        (n) => new EgressGateway(n, { api: "GATEWAY_API", ports: [{ port: 80, protocol: "HTTP", targetPort: 8080 }] }),
        "ports[0].targetPort: 8080: with api",
    ],
    ["Gateway API: skipAwait", (n) => new EgressGateway(n, { api: "GATEWAY_API", skipAwait: true }), "skipAwait: true has no effect"],
    [
        "Gateway API: a name istiod's -istio suffix makes too long",
        (n) => new EgressGateway(n, { api: "GATEWAY_API", name: "e".repeat(60) }),
        `name: "${"e".repeat(60)}" is too long: istiod names the gateway's Service`,
    ],
    ["Gateway API: an unknown api", (n) => new EgressGateway(n, { api: "GAMMA" as "ISTIO" }), "api:"],
    // Ambient: a waypoint is the egress gateway.
    [
        "ambient without the Gateway API",
        (n) => new EgressGateway(n, { dataPlane: "AMBIENT" }),
        `dataPlane: "AMBIENT" needs api "GATEWAY_API": the egress gateway of an ambient mesh is a waypoint`,
    ],
    [
        "ambient: ports for a waypoint",
        (n) => new EgressGateway(n, { api: "GATEWAY_API", dataPlane: "AMBIENT", ports: [{ port: 8080, protocol: "HTTP" }] }),
        "ports: are not chosen for a waypoint: it takes every destination on its HBONE port 15008",
    ],
    [
        "ambient: a gateway port for a destination",
        (n) =>
            new Egress(n, {
                gateway: { api: "GATEWAY_API", dataPlane: "AMBIENT" },
                destinations: [{ host: "edition.cnn.com", protocol: "TLS", port: 443, gatewayPort: 443 }],
            }),
        "destinations[0].gatewayPort: is not used with a waypoint",
    ],
    [
        "ambient: no ServiceEntry for the waypoint to take",
        (n) =>
            new Egress(n, {
                gateway: { api: "GATEWAY_API", dataPlane: "AMBIENT" },
                destinations: [{ host: "my-nginx.mesh-external.svc.cluster.local", createServiceEntry: false }],
            }),
        "destinations[0].createServiceEntry: false: a waypoint takes the traffic of the destination's own ServiceEntry",
    ],
];

describe("bad inputs: one clear error naming the field and value, and nothing registered", () => {
    it(`has at least 30 cases (${cases.length})`, () => assert.ok(cases.length >= 30));

    cases.forEach(([description, build, message], i) => {
        it(description, async () => {
            resetRegistrations();
            let error: unknown;
            try {
                build(`bad-${i}`);
            } catch (e) {
                error = e;
            }
            const text = assertComponentInputError(error, message);
            assert.ok(text.length <= 400 + 200, "bounded (the validation line, plus the component's URN)");
            assert.ok(!/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/.test(text), "no PEM");
            const registered = await settle();
            assert.deepEqual(
                registered.filter((r) => r.custom || r.type.startsWith("kubernetes:")),
                [],
                "no Kubernetes object or chart registered",
            );
            assert.ok(
                registered.every((r) => r.type.startsWith("istio-egress:index:")),
                "only the failing component itself",
            );
        });
    });
});
