import * as assert from "node:assert/strict";
import { get, resetRegistrations, unwrap } from "./helpers/mocks";
import { validatedManifests } from "./helpers/validatedManifests";
import {
    Egress,
    EgressGatewayRef,
    EgressNetworkPolicies,
    ExternalHttpsProxy,
    validateEgressArgs,
    ForwardProxyRouting,
    KubernetesEgressService,
    RegistryOnlyOutbound,
    meshWideRegistryOnlyValues,
} from "../api";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

describe("S11 Kubernetes Services for egress (KubernetesEgressService)", () => {
    beforeEach(resetRegistrations);

    it("ExternalName Service for httpbin.org with a DISABLE DestinationRule (no Istio mTLS to it)", async () => {
        const svc = new KubernetesEgressService("s11-en", {
            name: "my-httpbin",
            namespace: "default",
            externalName: "httpbin.org",
            ports: [{ port: 80, name: "http" }],
        });
        const all = await validatedManifests();
        const s = get(all, "Service/default/my-httpbin") as Any;
        assert.equal(s.spec.type, "ExternalName");
        assert.equal(s.spec.externalName, "httpbin.org");
        assert.deepEqual(s.spec.ports, [{ name: "http", port: 80, protocol: "TCP" }]);
        // The ExternalName Service is an alias (Istio >= 1.21): the ServiceEntry is the concrete
        // service it resolves to, and the DestinationRule applies there.
        const se = get(all, "ServiceEntry/default/my-httpbin").spec as Any;
        assert.deepEqual(se, {
            hosts: ["httpbin.org"],
            ports: [{ number: 80, name: "http", protocol: "HTTP" }],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
        });
        const dr = get(all, "DestinationRule/default/my-httpbin").spec as Any;
        assert.equal(dr.host, "httpbin.org");
        assert.deepEqual(dr.trafficPolicy.tls, { mode: "DISABLE" });
        assert.equal(await unwrap(svc.host), "my-httpbin.default.svc.cluster.local");
    });

    it("scopes its Istio objects with exportTo when asked", async () => {
        new KubernetesEgressService("s11-scoped", {
            name: "my-httpbin",
            namespace: "default",
            externalName: "httpbin.org",
            ports: [{ port: 80, name: "http" }],
            exportTo: ["."],
        });
        const all = await validatedManifests();
        assert.deepEqual((get(all, "ServiceEntry/default/my-httpbin").spec as Any).exportTo, ["."]);
        assert.deepEqual((get(all, "DestinationRule/default/my-httpbin").spec as Any).exportTo, ["."]);
    });

    it("selector-less Service + EndpointSlice for an external IP, and SIMPLE origination when asked", async () => {
        new KubernetesEgressService("s11-ep", {
            name: "my-wikipedia",
            namespace: "default",
            addresses: ["91.198.174.192"],
            ports: [{ port: 443, name: "https" }],
            tlsMode: "SIMPLE",
            sni: "www.wikipedia.org",
        });
        const all = await validatedManifests();
        const s = get(all, "Service/default/my-wikipedia") as Any;
        assert.equal(s.spec.type, "ClusterIP");
        assert.equal(s.spec.selector, undefined, "no selector: endpoints are ours");
        const slice = get(all, "EndpointSlice/default/my-wikipedia") as Any;
        assert.equal(slice.metadata.labels["kubernetes.io/service-name"], "my-wikipedia");
        assert.equal(slice.addressType, "IPv4");
        assert.deepEqual(slice.endpoints, [{ addresses: ["91.198.174.192"], conditions: { ready: true } }]);
        assert.deepEqual(slice.ports, [{ name: "https", port: 443, protocol: "TCP" }]);
        const dr = get(all, "DestinationRule/default/my-wikipedia").spec as Any;
        assert.deepEqual(dr.trafficPolicy.tls, { mode: "SIMPLE", sni: "www.wikipedia.org" });
    });

    it("writes legacy Endpoints, as the seed does, when endpointsApi is Endpoints", async () => {
        new KubernetesEgressService("s11-legacy", {
            name: "legacy",
            namespace: "default",
            addresses: ["10.0.0.1"],
            ports: [{ port: 8080, targetPort: 80 }],
            endpointsApi: "Endpoints",
        });
        const all = await validatedManifests();
        const ep = get(all, "Endpoints/default/legacy") as Any;
        assert.deepEqual(ep.subsets, [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ name: "tcp-8080", port: 80, protocol: "TCP" }] }]);
        assert.equal(all.has("EndpointSlice/default/legacy"), false);
    });
});

describe("S12 external legacy HTTPS proxy (ExternalHttpsProxy)", () => {
    beforeEach(resetRegistrations);

    it("registers the proxy as TCP by address, resolution NONE, MESH_EXTERNAL, and nothing for hosts behind it", async () => {
        new ExternalHttpsProxy("s12", {
            name: "proxy",
            namespace: "default",
            addresses: ["10.20.30.40/32"],
            port: 3128,
            hostname: "my-company-proxy.com",
        });
        const all = await validatedManifests();
        assert.equal(all.size, 1, "one ServiceEntry, for the proxy only");
        const se = get(all, "ServiceEntry/default/proxy").spec as Any;
        assert.deepEqual(se, {
            hosts: ["my-company-proxy.com"],
            addresses: ["10.20.30.40/32"],
            ports: [{ number: 3128, name: "tcp-3128", protocol: "TCP" }],
            location: "MESH_EXTERNAL",
            resolution: "NONE",
        });
    });
});

describe("S13 nginx forward-proxy routing (ForwardProxyRouting)", () => {
    beforeEach(resetRegistrations);

    it("sends *.qq.com HTTP:80 to the HTTP proxy Service and TLS:443 by SNI to the SNI proxy Service", async () => {
        new ForwardProxyRouting("s13", { name: "nginx-proxy", namespace: "default", domains: ["*.qq.com"], proxyAddresses: ["10.0.0.1"] });
        const all = await validatedManifests();
        const vs = get(all, "VirtualService/default/nginx-proxy").spec as Any;
        assert.deepEqual(vs.hosts, ["*.qq.com"]);
        assert.equal(vs.gateways, undefined, "applies to sidecars (mesh)");
        assert.deepEqual(vs.http[0].match, [{ port: 80 }]);
        assert.deepEqual(vs.http[0].route[0].destination, { host: "nginx-proxy-http.default.svc.cluster.local", port: { number: 8080 } });
        assert.deepEqual(vs.tls[0].match, [{ port: 443, sniHosts: ["*.qq.com"] }]);
        assert.deepEqual(vs.tls[0].route[0].destination, { host: "nginx-proxy-https.default.svc.cluster.local", port: { number: 8443 } });
        for (const [svc, port] of [
            ["nginx-proxy-http", 8080],
            ["nginx-proxy-https", 8443],
        ] as const) {
            const s = get(all, `Service/default/${svc}`) as Any;
            assert.equal(s.spec.selector, undefined);
            assert.equal(s.spec.ports[0].port, port);
            const slice = get(all, `EndpointSlice/default/${svc}`) as Any;
            assert.deepEqual(slice.endpoints[0].addresses, ["10.0.0.1"]);
            assert.equal(slice.ports[0].port, port);
        }
        const se = get(all, "ServiceEntry/default/nginx-proxy").spec as Any;
        assert.deepEqual(se.hosts, ["*.qq.com"]);
        assert.equal(se.resolution, "NONE");
        assert.deepEqual(
            se.ports.map((p: Any) => `${p.protocol}:${p.number}`),
            ["HTTP:80", "TLS:443"],
        );
    });
});

describe("S14 bypass prevention (EgressNetworkPolicies)", () => {
    beforeEach(resetRegistrations);

    const GW: EgressGatewayRef = {
        name: "istio-egressgateway",
        namespace: "istio-egress",
        selector: { istio: "egressgateway" },
        ports: [
            { port: 80, protocol: "HTTP" },
            { port: 443, protocol: "TLS", targetPort: 8443 },
        ],
    };
    const ns = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

    it("per namespace, least privilege: DNS on the DNS pods, the gateway's pods on their ports, istiod's xDS/CA port, nothing else", async () => {
        const np = new EgressNetworkPolicies("s14", { namespaces: ["test-egress", "shop"], gateway: GW });
        const all = await validatedManifests();
        assert.equal(all.size, 2);
        for (const name of ["test-egress", "shop"]) {
            const p = get(all, `NetworkPolicy/${name}/istio-egress-only`).spec as Any;
            assert.deepEqual(p.podSelector, {});
            assert.deepEqual(p.policyTypes, ["Egress"]);
            assert.deepEqual(p.egress, [
                {
                    to: [{ ...ns("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
                // Target ports: what the gateway's pods listen on.
                {
                    to: [{ ...ns("istio-egress"), podSelector: { matchLabels: { istio: "egressgateway" } } }],
                    ports: [
                        { protocol: "TCP", port: 80 },
                        { protocol: "TCP", port: 8443 },
                    ],
                },
                {
                    to: [{ ...ns("istio-system"), podSelector: { matchLabels: { app: "istiod" } } }],
                    ports: [{ protocol: "TCP", port: 15012 }],
                },
            ]);
        }
        assert.deepEqual(await unwrap(np.policies), ["test-egress/istio-egress-only", "shop/istio-egress-only"]);
    });

    it("opens only what is opted in: own namespace, other namespaces, the API server, address blocks", async () => {
        new EgressNetworkPolicies("s14-opt-in", {
            namespaces: ["shop"],
            gateway: GW,
            allowSameNamespace: true,
            allowedNamespaces: ["inventory"],
            apiServer: { cidrs: ["10.0.0.1"] },
            ipBlocks: [{ cidr: "203.0.113.0/24", ports: [443] }],
        });
        const egress = (get(await validatedManifests(), "NetworkPolicy/shop/istio-egress-only").spec as Any).egress;
        assert.deepEqual(egress.slice(3), [
            { to: [{ podSelector: {} }] },
            { to: [ns("inventory")] },
            { to: [{ ipBlock: { cidr: "10.0.0.1/32" } }], ports: [{ protocol: "TCP", port: 443 }] },
            { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
        ]);
    });

    it("in Egress: the gateway comes from the Egress, the proxies' addresses are opened, a fenced DIRECT destination needs its addresses", async () => {
        new Egress("fenced", {
            gateway: {},
            networkPolicies: { namespaces: ["shop"] },
            externalProxies: [{ name: "corp", namespace: "shop", addresses: ["10.20.30.40/32"], port: 3128 }],
        });
        const egress = (get(await validatedManifests(), "NetworkPolicy/shop/istio-egress-only").spec as Any).egress;
        assert.deepEqual(egress[1].to, [
            { ...ns("istio-system"), podSelector: { matchLabels: { app: "istio-egressgateway", istio: "egressgateway" } } },
        ]);
        assert.deepEqual(egress[3], { to: [{ ipBlock: { cidr: "10.20.30.40/32" } }], ports: [{ protocol: "TCP", port: 3128 }] });
        assert.throws(
            () =>
                validateEgressArgs({
                    gateway: {},
                    networkPolicies: { namespaces: ["payments"] },
                    destinations: [
                        { host: "api.stripe.com", protocol: "TLS", egress: "DIRECT", allowedSources: { namespaces: ["payments"] } },
                    ],
                }),
            {
                message:
                    'destinations[0]: "api.stripe.com" is DIRECT and namespace "payments" is fenced by networkPolicies: list its addresses in networkPolicies.ipBlocks, or send it through the gateway',
            },
        );
    });
});

describe("S15 registry-only outbound (RegistryOnlyOutbound)", () => {
    beforeEach(resetRegistrations);

    it("a namespace-wide Sidecar with outboundTrafficPolicy REGISTRY_ONLY per chosen namespace", async () => {
        new RegistryOnlyOutbound("s15", { namespaces: ["payments", "shop"] });
        const all = await validatedManifests();
        for (const ns of ["payments", "shop"]) {
            const sc = get(all, `Sidecar/${ns}/default`).spec as Any;
            assert.deepEqual(sc.outboundTrafficPolicy, { mode: "REGISTRY_ONLY" });
            assert.equal(sc.workloadSelector, undefined, "namespace-wide");
            // Only its own namespace and the root namespace, not every namespace's services (*/*).
            assert.deepEqual(sc.egress, [{ hosts: ["./*", "istio-system/*"] }]);
        }
        resetRegistrations();
        new RegistryOnlyOutbound("s15-import", { namespaces: ["shop"], importNamespaces: ["egress", "shop"] });
        assert.deepEqual((get(await validatedManifests(), "Sidecar/shop/default").spec as Any).egress, [
            { hosts: ["./*", "istio-system/*", "egress/*"] },
        ]);
        assert.deepEqual(meshWideRegistryOnlyValues(), { meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } });
    });
});
