import { strict as assert } from "node:assert";
import { KubeClient, KubeObject } from "./support/kubeClient";

// What each example stack must have produced, checked on the objects read back from the API
// server (which has validated them against Istio's CRD schemas). Names follow the stack configs.

export type ScenarioCheck = (live: Map<string, KubeObject>, client: KubeClient) => Promise<void>;

type Spec = Record<string, unknown>;
// Loosely typed access into specs read back as JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function get(live: Map<string, KubeObject>, key: string): KubeObject {
    const o = live.get(key);
    assert.ok(o, `${key} is not among the stack's objects (have: ${[...live.keys()].join(", ")})`);
    return o;
}
function spec(live: Map<string, KubeObject>, key: string): Json {
    return get(live, key).spec as Spec;
}
function kinds(live: Map<string, KubeObject>, kind: string): string[] {
    return [...live.keys()].filter((k) => k.startsWith(`${kind}/`)).sort();
}

const GW = "istio-system/istio-egressgateway";
const GW_HOST = "istio-egressgateway.istio-system.svc.cluster.local";
const GW_SELECTOR = { app: "istio-egressgateway", istio: "egressgateway" };

/** The gateway chart's objects are there, and the Gateway selects the chart's pods. */
function gatewayInstalled(live: Map<string, KubeObject>): void {
    for (const kind of ["Deployment", "Service", "ServiceAccount", "Role", "RoleBinding"]) {
        get(live, `${kind}/${GW}`);
    }
    const svc = spec(live, `Service/${GW}`);
    assert.equal(svc.type, "ClusterIP");
    assert.deepEqual(svc.selector, GW_SELECTOR);
    const pod = spec(live, `Deployment/${GW}`).template;
    assert.equal(pod.metadata.labels["sidecar.istio.io/inject"], "true");
    assert.equal(pod.metadata.annotations["inject.istio.io/templates"], "gateway");
    assert.deepEqual(spec(live, `Telemetry/${GW}`).selector, { matchLabels: GW_SELECTOR }, "access logs for the gateway's pods");
}

/** Mesh → gateway → external routing of one destination through the shared Gateway. */
function routedThroughGateway(
    live: Map<string, KubeObject>,
    ns: string,
    name: string,
    host: string,
    route: "http" | "tls",
    port: number,
): void {
    gatewayInstalled(live);
    assert.deepEqual(spec(live, `Gateway/${GW}`).selector, GW_SELECTOR);
    const servers: Json[] = spec(live, `Gateway/${GW}`).servers;
    const server = servers.find((s) => s.hosts.includes(host));
    assert.ok(server, `Gateway serves ${host}`);
    assert.deepEqual(server.tls, { mode: "ISTIO_MUTUAL" }, "the gateway knows who calls: Istio mTLS on the hop into it");
    const subsets: Json[] = spec(live, `DestinationRule/${GW}`).subsets;
    const subset = subsets.find((s) => s.name === name);
    assert.ok(subset, `gateway DestinationRule has subset ${name}`);
    assert.equal(subset.trafficPolicy.portLevelSettings[0].tls.mode, "ISTIO_MUTUAL");
    assert.deepEqual(
        spec(live, `AuthorizationPolicy/${GW}`),
        { selector: { matchLabels: GW_SELECTOR }, action: "ALLOW" },
        "the gateway refuses what no destination allows",
    );
    const vs = spec(live, `VirtualService/${ns}/${name}`);
    assert.deepEqual(vs.hosts, [host]);
    assert.deepEqual([...vs.gateways].sort(), [GW, "mesh"]);
    // HTTP: both hops are http routes; the app's TLS: a tls route to the gateway, and a tcp
    // route from it (the gateway terminates the Istio mTLS and forwards the stream inside).
    const toGateway: Json = vs[route][0];
    const toExternal: Json = route === "http" ? vs.http[1] : vs.tcp[0];
    assert.deepEqual(toGateway.match[0].gateways, ["mesh"]);
    assert.equal(toGateway.route[0].destination.host, GW_HOST);
    assert.equal(toGateway.route[0].destination.subset, name);
    assert.deepEqual(toExternal.match[0].gateways, [GW]);
    const external = toExternal.route[0].destination;
    assert.equal(external.port.number, port);
    if (!host.startsWith("*")) {
        assert.equal(external.host, host);
    }
}

const GW_API_SELECTOR = { "gateway.networking.k8s.io/gateway-name": "istio-egressgateway" };
const GW_API_HOST = "istio-egressgateway-istio.istio-system.svc.cluster.local";

/**
 * A destination through the Gateway API gateway: the Gateway of class istio (ClusterIP, Istio
 * mTLS on every listener), the HTTPRoute on the ServiceEntry to the gateway Service, the one on
 * the gateway's listener out to the host, Istio mTLS to the gateway, and the gateway's policies.
 */
function routedThroughGatewayApi(live: Map<string, KubeObject>, name: string, host: string, gatewayPort: number, port: number): void {
    const gw = get(live, `Gateway/${GW}`);
    assert.equal(gw.apiVersion, "gateway.networking.k8s.io/v1");
    assert.equal((gw.metadata as Json).annotations["networking.istio.io/service-type"], "ClusterIP");
    const gateway = spec(live, `Gateway/${GW}`);
    assert.equal(gateway.gatewayClassName, "istio");
    const listener: Json = gateway.listeners.find((l: Json) => l.port === gatewayPort);
    assert.ok(listener, `a listener on port ${gatewayPort}`);
    assert.deepEqual(listener.tls, { mode: "Terminate", options: { "gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL" } });
    assert.deepEqual(kinds(live, "Deployment"), [], "istiod deploys the gateway, not the stack");
    // istiod's gateway may read its namespace's Secrets: SDS for a DestinationRule's credentialName.
    assert.deepEqual((get(live, `RoleBinding/${GW}-istio`) as Json).subjects, [
        { kind: "ServiceAccount", name: "istio-egressgateway-istio", namespace: "istio-system" },
    ]);
    assert.deepEqual((get(live, `Role/${GW}-istio`) as Json).rules, [
        { apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] },
    ]);
    assert.deepEqual(spec(live, `Telemetry/${GW}`).selector, { matchLabels: GW_API_SELECTOR });
    const toGateway = spec(live, `HTTPRoute/istio-system/${name}`);
    assert.deepEqual(toGateway.parentRefs, [{ group: "networking.istio.io", kind: "ServiceEntry", name, port: 80 }]);
    assert.deepEqual(toGateway.rules[0].backendRefs[0], {
        group: "",
        kind: "Service",
        name: "istio-egressgateway-istio",
        port: gatewayPort,
        weight: 1,
    });
    const out = spec(live, `HTTPRoute/istio-system/${name}-gateway`);
    assert.deepEqual(out.parentRefs[0], {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "istio-egressgateway",
        sectionName: `port-${gatewayPort}`,
    });
    assert.deepEqual(out.hostnames, [host]);
    assert.deepEqual(out.rules[0].backendRefs[0], { group: "networking.istio.io", kind: "Hostname", name: host, port, weight: 1 });
    const mtls = spec(live, `DestinationRule/${GW}`);
    assert.equal(mtls.host, GW_API_HOST);
    assert.deepEqual(mtls.trafficPolicy, { tls: { mode: "ISTIO_MUTUAL" } });
    assert.deepEqual(spec(live, `AuthorizationPolicy/${GW}`), { selector: { matchLabels: GW_API_SELECTOR }, action: "ALLOW" });
    assert.deepEqual(spec(live, `AuthorizationPolicy/istio-system/${name}`).selector, { matchLabels: GW_API_SELECTOR });
}

const WAYPOINT = "istio-egress/istio-egressgateway";

/** A destination through the waypoint: its ServiceEntry labelled to use it, and a policy attached to that. */
function throughWaypoint(live: Map<string, KubeObject>, name: string, host: string, from: Json): void {
    const gw = get(live, `Gateway/${WAYPOINT}`);
    assert.equal(gw.apiVersion, "gateway.networking.k8s.io/v1");
    assert.equal((gw.metadata as Json).labels["istio.io/waypoint-for"], "service");
    assert.equal(spec(live, `Gateway/${WAYPOINT}`).gatewayClassName, "istio-waypoint");
    assert.deepEqual(spec(live, `Gateway/${WAYPOINT}`).listeners, [
        { name: "mesh", port: 15008, protocol: "HBONE", allowedRoutes: { namespaces: { from: "Same" } } },
    ]);
    assert.deepEqual(spec(live, `Telemetry/${WAYPOINT}`).targetRefs, [
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "istio-egressgateway" },
    ]);
    assert.deepEqual(
        (get(live, `RoleBinding/${WAYPOINT}`) as Json).subjects[0].name,
        "istio-egressgateway",
        "the waypoint's service account",
    );
    const se = get(live, `ServiceEntry/istio-egress/${name}`);
    assert.equal((se.metadata as Json).labels["istio.io/use-waypoint"], "istio-egressgateway");
    assert.deepEqual((se.spec as Json).hosts, [host]);
    assert.equal((se.spec as Json).exportTo, undefined, "every caller meets the waypoint");
    const policy = spec(live, `AuthorizationPolicy/istio-egress/${name}`);
    assert.deepEqual(policy.targetRefs, [{ group: "networking.istio.io", kind: "ServiceEntry", name }]);
    assert.deepEqual(policy.rules, [{ from }]);
    assert.deepEqual(kinds(live, "HTTPRoute"), [], "ztunnel sends the traffic: no routes");
}

export const scenarioChecks: Record<string, ScenarioCheck> = {
    "s02-http-ambient": async (live) => {
        throughWaypoint(live, "cnn", "edition.cnn.com", [{ source: { namespaces: ["shop"] } }]);
        // Enrolled as istioctl waypoint apply --enroll-namespace does it.
        assert.deepEqual((get(live, "Namespace/istio-egress").metadata as Json).labels, {
            "istio.io/dataplane-mode": "ambient",
            "istio.io/use-waypoint": "istio-egressgateway",
            "kubernetes.io/metadata.name": "istio-egress",
        });
    },
    "s03-https-passthrough-ambient": async (live) => {
        throughWaypoint(live, "cnn", "edition.cnn.com", [{ source: { serviceAccounts: ["shop/checkout"] } }]);
        assert.deepEqual(spec(live, "ServiceEntry/istio-egress/cnn").ports, [{ name: "tls-443", number: 443, protocol: "TLS" }]);
    },
    "s05-origination-ambient": async (live) => {
        throughWaypoint(live, "cnn", "edition.cnn.com", [{ source: { serviceAccounts: ["shop/checkout"] } }]);
        assert.deepEqual(spec(live, "ServiceEntry/istio-egress/cnn").ports[0], {
            name: "http-80",
            number: 80,
            protocol: "HTTP",
            targetPort: 443,
        });
        assert.deepEqual(spec(live, "DestinationRule/istio-egress/cnn").trafficPolicy.portLevelSettings, [
            { port: { number: 80 }, tls: { mode: "SIMPLE", sni: "edition.cnn.com" } },
        ]);
    },
    "s14-network-policies-gateway-api": async (live) => {
        routedThroughGatewayApi(live, "cnn", "edition.cnn.com", 80, 80);
        const np = spec(live, "NetworkPolicy/test-egress/istio-egress-only");
        // The way out: the pods istiod deploys for the Gateway, by their gateway-name label, on the listener ports.
        assert.deepEqual(np.egress[1], {
            to: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
                    podSelector: { matchLabels: GW_API_SELECTOR },
                },
            ],
            ports: [
                { protocol: "TCP", port: 80 },
                { protocol: "TCP", port: 443 },
            ],
        });
        assert.equal(np.egress.length, 3, "DNS, the gateway, istiod: nothing else");
    },
    "s14-network-policies-ambient": async (live) => {
        throughWaypoint(live, "cnn", "edition.cnn.com", [{ source: { namespaces: ["test-egress"] } }]);
        const np = spec(live, "NetworkPolicy/test-egress/istio-egress-only");
        assert.deepEqual(np.policyTypes, ["Egress"]);
        // The way out is the waypoint's HBONE port: ztunnel's tunnels start in the pod's network namespace.
        assert.deepEqual(np.egress[1], {
            to: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-egress" } },
                    podSelector: { matchLabels: GW_API_SELECTOR },
                },
            ],
            ports: [{ protocol: "TCP", port: 15008 }],
        });
        assert.equal(np.egress.length, 3, "DNS, the waypoint, istiod: nothing else");
    },
    "s06-mutual-origination-ambient": async (live) => {
        throughWaypoint(live, "partner", "api.partner.example.com", [{ source: { namespaces: ["shop"] } }]);
        const rule = spec(live, "DestinationRule/istio-egress/partner");
        assert.equal(rule.workloadSelector, undefined, "a waypoint ignores rules with one");
        assert.deepEqual(rule.trafficPolicy.portLevelSettings[0].port, { number: 80 });
        assert.equal(rule.trafficPolicy.portLevelSettings[0].tls.credentialName, "partner-client");
        const secret = get(live, "Secret/istio-egress/partner-client") as Json;
        assert.deepEqual(Object.keys(secret.data).sort(), ["ca.crt", "tls.crt", "tls.key"]);
    },
    "s02-http-gateway-api": async (live) => {
        routedThroughGatewayApi(live, "cnn", "edition.cnn.com", 80, 80);
        assert.deepEqual(spec(live, "AuthorizationPolicy/istio-system/cnn").rules[0].from, [{ source: { namespaces: ["shop"] } }]);
        assert.deepEqual(JSON.parse((get(live, `ConfigMap/${GW}-parameters`) as Json).data.deployment), { spec: { replicas: 2 } });
    },
    "s05-origination-gateway-api": async (live) => {
        routedThroughGatewayApi(live, "cnn", "edition.cnn.com", 443, 443);
        const tls = spec(live, "DestinationRule/istio-system/cnn");
        assert.deepEqual(tls.workloadSelector, { matchLabels: GW_API_SELECTOR }, "only the gateway originates");
        assert.deepEqual(tls.trafficPolicy.portLevelSettings[0].tls, { mode: "SIMPLE", sni: "edition.cnn.com" });
    },
    "s06-mutual-origination-gateway-api": async (live) => {
        routedThroughGatewayApi(live, "partner", "api.partner.example.com", 443, 443);
        const tls = spec(live, "DestinationRule/istio-system/partner").trafficPolicy.portLevelSettings[0].tls;
        assert.equal(tls.mode, "MUTUAL");
        assert.equal(tls.credentialName, "partner-client");
        const secret = get(live, "Secret/istio-system/partner-client") as Json;
        assert.deepEqual(Object.keys(secret.data).sort(), ["ca.crt", "tls.crt", "tls.key"]);
        const parameters = (get(live, `ConfigMap/${GW}-parameters`) as Json).data;
        assert.equal(JSON.parse(parameters.horizontalPodAutoscaler).spec.maxReplicas, 4);
        assert.deepEqual(JSON.parse(parameters.podDisruptionBudget), { spec: { minAvailable: 1 } });
        assert.equal(parameters.deployment, undefined, "the autoscaler sets the replicas");
    },
    "s01-gateway": async (live) => {
        gatewayInstalled(live);
        const dep = spec(live, `Deployment/${GW}`);
        assert.equal(dep.replicas, 3);
        assert.deepEqual(dep.template.spec.nodeSelector, { "node-role.kubernetes.io/egress": "true" });
        assert.deepEqual(dep.template.spec.tolerations, [{ key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" }]);
        const container = dep.template.spec.containers[0];
        assert.deepEqual(container.resources, { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } });
        assert.equal(spec(live, `PodDisruptionBudget/${GW}`).minAvailable, 2);
        assert.deepEqual(kinds(live, "VirtualService"), [], "a gateway alone routes nothing");
    },
    "s02-http-gateway": async (live) => {
        routedThroughGateway(live, "istio-system", "cnn", "edition.cnn.com", "http", 80);
        assert.deepEqual(spec(live, "ServiceEntry/istio-system/cnn").ports, [{ name: "http-80", number: 80, protocol: "HTTP" }]);
        const rule = spec(live, "AuthorizationPolicy/istio-system/cnn").rules[0];
        assert.deepEqual(rule.from, [{ source: { namespaces: ["shop"] } }]);
        assert.deepEqual(
            spec(live, "VirtualService/istio-system/cnn").exportTo,
            ["shop", "."],
            "only shop (and the gateway) get the routes",
        );
    },
    "s03-https-passthrough": async (live) => {
        routedThroughGateway(live, "istio-system", "cnn", "edition.cnn.com", "tls", 443);
        assert.deepEqual(spec(live, "VirtualService/istio-system/cnn").tls[0].match[0].sniHosts, ["edition.cnn.com"]);
        const rule = spec(live, "AuthorizationPolicy/istio-system/cnn").rules[0];
        assert.deepEqual(rule.from, [{ source: { serviceAccounts: ["shop/checkout"] } }]);
        assert.deepEqual(rule.when, [{ key: "connection.sni", values: ["edition.cnn.com"] }]);
    },
    "s04-sidecar-origination": async (live) => {
        const se = spec(live, "ServiceEntry/default/edition-cnn-com");
        assert.deepEqual(
            se.ports.find((p: Json) => p.number === 80),
            { name: "http-80", number: 80, protocol: "HTTP", targetPort: 443 },
        );
        const tls = spec(live, "DestinationRule/default/edition-cnn-com").trafficPolicy.portLevelSettings[0];
        assert.deepEqual(tls, { port: { number: 80 }, tls: { mode: "SIMPLE", sni: "edition.cnn.com" } });
        assert.deepEqual(kinds(live, "VirtualService"), [], "origination at the sidecar needs no gateway route");
    },
    "s05-gateway-simple-origination": async (live) => {
        routedThroughGateway(live, "istio-system", "nginx", "my-nginx.mesh-external.svc.cluster.local", "http", 443);
        assert.deepEqual(spec(live, `Gateway/${GW}`).servers[0].tls, { mode: "ISTIO_MUTUAL" });
        const tls = spec(live, "DestinationRule/istio-system/nginx").trafficPolicy.portLevelSettings[0].tls;
        assert.equal(tls.mode, "SIMPLE");
        assert.equal(tls.credentialName, "client-credential-cacert");
        const secret = get(live, "Secret/istio-system/client-credential-cacert") as Json;
        assert.deepEqual(Object.keys(secret.data), ["ca.crt"]);
    },
    "s06-gateway-mutual-origination": async (live) => {
        routedThroughGateway(live, "istio-system", "nginx", "my-nginx.mesh-external.svc.cluster.local", "http", 443);
        const tls = spec(live, "DestinationRule/istio-system/nginx").trafficPolicy.portLevelSettings[0].tls;
        assert.equal(tls.mode, "MUTUAL");
        assert.equal(tls.credentialName, "client-credential");
        assert.deepEqual(tls.subjectAltNames, ["my-nginx.mesh-external.svc.cluster.local"]);
        const secret = get(live, "Secret/istio-system/client-credential") as Json;
        assert.deepEqual(Object.keys(secret.data).sort(), ["ca.crt", "tls.crt", "tls.key"]);
    },
    "s09-wildcard-serving-host": async (live) => {
        routedThroughGateway(live, "istio-system", "wikipedia", "*.wikipedia.org", "tls", 443);
        const se = spec(live, "ServiceEntry/istio-system/wikipedia");
        assert.deepEqual(se.hosts, ["www.wikipedia.org"]);
        assert.equal(se.resolution, "DNS");
        assert.equal(spec(live, "VirtualService/istio-system/wikipedia").tcp[0].route[0].destination.host, "www.wikipedia.org");
    },
    "s10-sni-proxy": async (live) => {
        routedThroughGateway(live, "istio-system", "wikipedia-any", "*.wikipedia.org", "tls", 443);
        routedThroughGateway(live, "istio-system", "partner-tls-9443", "*.partner.example.com", "tls", 9443);
        const toProxy = spec(live, "VirtualService/istio-system/partner-tls-9443").tcp[0].route[0].destination;
        assert.equal(toProxy.host, "egress-sni-proxy.istio-system.svc.cluster.local");
        assert.equal(toProxy.port.number, 9443);
        const conf: string = (get(live, "ConfigMap/istio-system/egress-sni-proxy") as Json).data["nginx.conf"];
        // Each port forwards its own hosts to the port the client called (443 is served on 10443, non-root).
        assert.match(conf, /\*\.partner\.example\.com \$ssl_preread_server_name:9443;/);
        assert.match(conf, /\*\.wikipedia\.org \$ssl_preread_server_name:443;/);
        assert.match(conf, /listen 9443;/);
        assert.match(conf, /listen 10443;/);
        assert.deepEqual(
            spec(live, "Service/istio-system/egress-sni-proxy").ports.map((p: Json) => p.port),
            [443, 9443],
        );
        assert.equal(spec(live, "Deployment/istio-system/egress-sni-proxy").replicas, 2);
        assert.deepEqual(spec(live, "NetworkPolicy/istio-system/egress-sni-proxy").ingress[0].from, [
            { podSelector: { matchLabels: GW_SELECTOR } },
        ]);
        assert.deepEqual(spec(live, "DestinationRule/istio-system/egress-sni-proxy").trafficPolicy, { tls: { mode: "DISABLE" } });
    },
    "s11-kubernetes-services": async (live) => {
        const ext = spec(live, "Service/default/my-httpbin");
        assert.equal(ext.type, "ExternalName");
        assert.equal(ext.externalName, "httpbin.org");
        assert.equal(spec(live, "Service/default/my-wikipedia").selector, undefined, "selectorless Service");
        get(live, "EndpointSlice/default/my-wikipedia");
        // The alias resolves to the ServiceEntry of its external name, where the rule applies.
        assert.deepEqual(spec(live, "ServiceEntry/default/my-httpbin").hosts, ["httpbin.org"]);
        assert.equal(spec(live, "DestinationRule/default/my-httpbin").host, "httpbin.org");
        for (const dr of ["my-httpbin", "my-wikipedia"]) {
            assert.deepEqual(spec(live, `DestinationRule/default/${dr}`).trafficPolicy, { tls: { mode: "DISABLE" } });
        }
    },
    "s12-external-proxy": async (live) => {
        const se = spec(live, "ServiceEntry/default/company-proxy");
        assert.deepEqual(se.addresses, ["10.20.30.40/32"]);
        assert.deepEqual(se.ports, [{ name: "tcp-3128", number: 3128, protocol: "TCP" }]);
        assert.equal(se.resolution, "NONE");
    },
    "s13-forward-proxy": async (live) => {
        const vs = spec(live, "VirtualService/default/nginx-proxy");
        assert.deepEqual(vs.hosts, ["*.qq.com"]);
        assert.equal(vs.http[0].route[0].destination.host, "nginx-proxy-http.default.svc.cluster.local");
        assert.equal(vs.tls[0].route[0].destination.host, "nginx-proxy-https.default.svc.cluster.local");
        get(live, "EndpointSlice/default/nginx-proxy-http");
        get(live, "EndpointSlice/default/nginx-proxy-https");
    },
    "s14-network-policies": async (live) => {
        routedThroughGateway(live, "istio-system", "cnn", "edition.cnn.com", "tls", 443);
        // Scoped to the fenced namespace, and still visible to the gateway beside the objects.
        assert.deepEqual(spec(live, "VirtualService/istio-system/cnn").exportTo, ["test-egress", "."]);
        const np = spec(live, "NetworkPolicy/test-egress/istio-egress-only");
        assert.deepEqual(np.policyTypes, ["Egress"]);
        assert.deepEqual(np.podSelector, {});
        // Least privilege, peer by peer: DNS pods, the gateway's pods on their ports, istiod's xDS/CA port.
        const rules = np.egress.map((r: Json) => [
            r.to.map(
                (t: Json) =>
                    `${t.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"]}/${JSON.stringify(t.podSelector?.matchLabels ?? {})}`,
            ),
            (r.ports ?? []).map((p: Json) => `${p.protocol}/${p.port}`),
        ]);
        assert.deepEqual(
            rules,
            [
                [['kube-system/{"k8s-app":"kube-dns"}'], ["UDP/53", "TCP/53"]],
                [[`istio-system/${JSON.stringify(GW_SELECTOR)}`], ["TCP/80", "TCP/443"]],
                [['istio-system/{"app":"istiod"}'], ["TCP/15012"]],
            ],
            "no way around the gateway",
        );
    },
    "s15-registry-only": async (live) => {
        for (const ns of ["payments", "shop"]) {
            assert.deepEqual(spec(live, `Sidecar/${ns}/default`).outboundTrafficPolicy, { mode: "REGISTRY_ONLY" });
            assert.deepEqual(spec(live, `Sidecar/${ns}/default`).egress, [
                { hosts: ns === "payments" ? ["./*", "istio-system/*"] : ["./*", "istio-system/*", "payments/*"] },
            ]);
        }
        assert.deepEqual(spec(live, "ServiceEntry/payments/payments-api").hosts, ["api.stripe.com"]);
    },
};
