import * as assert from "node:assert/strict";
import { get, resetRegistrations, unwrap, warnings } from "./helpers/mocks";
import { validatedManifests } from "./helpers/validatedManifests";
import { Egress, EgressDestinations, EgressGatewayRef } from "../api";

const GW: EgressGatewayRef = {
    name: "istio-egressgateway",
    namespace: "istio-system",
    selector: { app: "istio-egressgateway", istio: "egressgateway" },
    ports: [
        { port: 80, protocol: "HTTP" },
        { port: 443, protocol: "TLS" },
    ],
};
const GW_HOST = "istio-egressgateway.istio-system.svc.cluster.local";
const GW_NAME = "istio-system/istio-egressgateway";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

describe("destinations through the egress gateway (EgressDestinations)", () => {
    beforeEach(resetRegistrations);

    it("S2 HTTP: ServiceEntry (HTTP 80, DNS), an Istio-mTLS Gateway server, gateway subset, the two hops, and who may use it", async () => {
        const d = new EgressDestinations("s2", {
            gateway: GW,
            destinations: [{ name: "cnn", host: "edition.cnn.com", allowedSources: { namespaces: ["shop"] } }],
        });
        const all = await validatedManifests();
        const se = get(all, "ServiceEntry/istio-system/cnn").spec as Any;
        assert.deepEqual(se.hosts, ["edition.cnn.com"]);
        assert.deepEqual(se.ports, [{ number: 80, protocol: "HTTP", name: "http-80" }]);
        assert.equal(se.resolution, "DNS");
        assert.equal(se.location, "MESH_EXTERNAL");

        const gw = get(all, "Gateway/istio-system/istio-egressgateway").spec as Any;
        assert.deepEqual(gw.selector, GW.selector, "the Gateway selects the gateway pods' labels");
        // Istio mTLS from the sidecar, so the gateway knows who calls.
        assert.deepEqual(gw.servers, [
            { port: { number: 80, protocol: "HTTPS", name: "https-80" }, hosts: ["edition.cnn.com"], tls: { mode: "ISTIO_MUTUAL" } },
        ]);

        const dr = get(all, "DestinationRule/istio-system/istio-egressgateway").spec as Any;
        assert.equal(dr.host, GW_HOST);
        assert.deepEqual(dr.subsets, [
            {
                name: "cnn",
                trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "ISTIO_MUTUAL", sni: "edition.cnn.com" } }] },
            },
        ]);

        const ap = get(all, "AuthorizationPolicy/istio-system/cnn").spec as Any;
        assert.deepEqual(ap, {
            selector: { matchLabels: GW.selector },
            action: "ALLOW",
            rules: [
                {
                    from: [{ source: { namespaces: ["shop"] } }],
                    to: [{ operation: { ports: ["80"], hosts: ["edition.cnn.com", "edition.cnn.com:80"] } }],
                    when: [{ key: "connection.sni", values: ["edition.cnn.com"] }],
                },
            ],
        });
        // Everything no destination allows is refused.
        assert.deepEqual(get(all, "AuthorizationPolicy/istio-system/istio-egressgateway").spec, {
            selector: { matchLabels: GW.selector },
            action: "ALLOW",
        });

        const vs = get(all, "VirtualService/istio-system/cnn").spec as Any;
        assert.deepEqual(vs.hosts, ["edition.cnn.com"]);
        assert.deepEqual(vs.gateways, [GW_NAME, "mesh"]);
        const [hop1, hop2] = vs.http;
        assert.deepEqual(hop1.match, [{ gateways: ["mesh"], port: 80 }]);
        assert.deepEqual(hop1.route[0].destination, { host: GW_HOST, subset: "cnn", port: { number: 80 } });
        assert.ok(
            dr.subsets.some((s: Any) => s.name === hop1.route[0].destination.subset),
            "the mesh hop's subset exists",
        );
        assert.deepEqual(hop2.match, [{ gateways: [GW_NAME], port: 80 }]);
        assert.deepEqual(hop2.route[0].destination, { host: "edition.cnn.com", port: { number: 80 } });
        assert.equal(all.size, 6);

        const summary = await unwrap(d.destinations);
        assert.deepEqual(summary[0]!.objects, [
            "ServiceEntry/istio-system/cnn",
            "VirtualService/istio-system/cnn",
            "AuthorizationPolicy/istio-system/cnn",
        ]);
        assert.deepEqual(summary[0]!.allowedSources, ["namespace shop"]);
        assert.deepEqual(await unwrap(d.sharedObjects), [
            "Gateway/istio-system/istio-egressgateway",
            "DestinationRule/istio-system/istio-egressgateway",
            "AuthorizationPolicy/istio-system/istio-egressgateway",
        ]);
    });

    it("S3 HTTPS: TLS 443 ServiceEntry, the app's TLS inside Istio mTLS to the gateway, matched by sniHosts, forwarded by a tcp route", async () => {
        new EgressDestinations("s3", {
            gateway: GW,
            destinations: [
                { name: "cnn", host: "edition.cnn.com", protocol: "TLS", allowedSources: { serviceAccounts: ["shop/checkout"] } },
            ],
        });
        const all = await validatedManifests();
        const se = get(all, "ServiceEntry/istio-system/cnn").spec as Any;
        assert.deepEqual(se.ports, [{ number: 443, protocol: "TLS", name: "tls-443" }]);
        const gw = get(all, "Gateway/istio-system/istio-egressgateway").spec as Any;
        assert.deepEqual(gw.servers, [
            { port: { number: 443, protocol: "TLS", name: "tls-443-cnn" }, hosts: ["edition.cnn.com"], tls: { mode: "ISTIO_MUTUAL" } },
        ]);
        const vs = get(all, "VirtualService/istio-system/cnn").spec as Any;
        assert.equal(vs.http, undefined);
        assert.deepEqual(vs.tls[0].match, [{ gateways: ["mesh"], port: 443, sniHosts: ["edition.cnn.com"] }]);
        assert.deepEqual(vs.tls[0].route[0].destination, { host: GW_HOST, subset: "cnn", port: { number: 443 } });
        assert.equal(vs.tls.length, 1);
        assert.deepEqual(vs.tcp[0].match, [{ gateways: [GW_NAME], port: 443 }]);
        assert.deepEqual(vs.tcp[0].route[0].destination, { host: "edition.cnn.com", port: { number: 443 } });
        const ap = get(all, "AuthorizationPolicy/istio-system/cnn").spec as Any;
        assert.deepEqual(ap.rules, [
            {
                from: [{ source: { serviceAccounts: ["shop/checkout"] } }],
                to: [{ operation: { ports: ["443"] } }],
                when: [{ key: "connection.sni", values: ["edition.cnn.com"] }],
            },
        ]);
    });

    it("a destination nobody may use gets no ALLOW policy, a warning-worthy summary, and the gateway refuses it", async () => {
        const d = new EgressDestinations("closed", { gateway: GW, destinations: [{ name: "cnn", host: "edition.cnn.com" }] });
        const all = await validatedManifests();
        assert.ok(!all.has("AuthorizationPolicy/istio-system/cnn"));
        assert.ok(all.has("AuthorizationPolicy/istio-system/istio-egressgateway"), "the allow-nothing policy");
        assert.deepEqual((await unwrap(d.destinations))[0]!.allowedSources, ["nobody"]);
        // And preview says so; a destination someone may use does not warn.
        assert.deepEqual(warnings(), [
            "destinations[0] (cnn): no allowedSources and no defaultAllowedSources: the egress gateway refuses every caller of edition.cnn.com",
        ]);
        resetRegistrations();
        new EgressDestinations("open", {
            gateway: GW,
            destinations: [{ name: "cnn", host: "edition.cnn.com", allowedSources: { namespaces: ["shop"] } }],
        });
        await validatedManifests();
        assert.deepEqual(warnings(), []);
    });

    it('namespaces ["*"] allows any workload with a mesh identity', async () => {
        new EgressDestinations("open", {
            gateway: GW,
            defaultAllowedSources: { namespaces: ["*"] },
            destinations: [{ name: "cnn", host: "edition.cnn.com", protocol: "TLS" }],
        });
        const all = await validatedManifests();
        assert.deepEqual((get(all, "AuthorizationPolicy/istio-system/cnn").spec as Any).rules[0].from, [{ source: { principals: ["*"] } }]);
    });

    it("shares one Gateway and one DestinationRule among many destinations: 2 objects per destination", async () => {
        const hosts = ["a.example.com", "b.example.com", "c.example.com", "d.example.com"];
        new EgressDestinations("shared", {
            gateway: GW,
            destinations: hosts.map((host, i) => ({ host, protocol: i % 2 === 0 ? "HTTP" : "TLS" })),
        });
        const all = await validatedManifests();
        assert.equal(all.size, 3 + 2 * hosts.length);
        const gw = get(all, "Gateway/istio-system/istio-egressgateway").spec as Any;
        assert.deepEqual(
            gw.servers.map((s: Any) => [s.port.name, s.hosts]),
            [
                // HTTP is routed by host: one server (one filter chain) for all; TLS goes by its own tcp route.
                ["https-80", ["a.example.com", "c.example.com"]],
                ["tls-443-b-example-com", ["b.example.com"]],
                ["tls-443-d-example-com", ["d.example.com"]],
            ],
        );
        const dr = get(all, "DestinationRule/istio-system/istio-egressgateway").spec as Any;
        assert.deepEqual(
            dr.subsets.map((s: Any) => s.name),
            ["a-example-com", "b-example-com", "c-example-com", "d-example-com"],
        );
    });

    it("direct destinations get only a ServiceEntry", async () => {
        new EgressDestinations("direct", {
            namespace: "apps",
            destinations: [
                { host: "api.example.com", protocol: "TLS" },
                { host: "*.example.org", protocol: "TLS" },
            ],
        });
        const all = await validatedManifests();
        assert.deepEqual([...all.keys()].sort(), ["ServiceEntry/apps/api-example-com", "ServiceEntry/apps/wildcard-example-org"]);
        assert.equal((get(all, "ServiceEntry/apps/wildcard-example-org").spec as Any).resolution, "NONE");
    });

    it("S4 TLS origination at the sidecar: port 80 → targetPort 443 and a SIMPLE DestinationRule", async () => {
        new EgressDestinations("s4", {
            namespace: "default",
            destinations: [{ name: "edition-cnn-com", host: "edition.cnn.com", egress: "DIRECT", tls: {} }],
        });
        const all = await validatedManifests();
        const se = get(all, "ServiceEntry/default/edition-cnn-com").spec as Any;
        assert.deepEqual(se.ports, [
            { number: 80, protocol: "HTTP", name: "http-80", targetPort: 443 },
            { number: 443, protocol: "HTTPS", name: "https-443" },
        ]);
        assert.equal(se.resolution, "DNS");
        const dr = get(all, "DestinationRule/default/edition-cnn-com").spec as Any;
        assert.equal(dr.host, "edition.cnn.com");
        assert.deepEqual(dr.trafficPolicy.portLevelSettings, [{ port: { number: 80 }, tls: { mode: "SIMPLE", sni: "edition.cnn.com" } }]);
        assert.equal(all.size, 2);
    });

    it("S9 wildcard with one serving host: *.wikipedia.org through the gateway to www.wikipedia.org", async () => {
        new EgressDestinations("s9", {
            gateway: GW,
            destinations: [{ name: "wikipedia", host: "*.wikipedia.org", protocol: "TLS", servingHost: "www.wikipedia.org" }],
        });
        const all = await validatedManifests();
        const se = get(all, "ServiceEntry/istio-system/wikipedia").spec as Any;
        assert.deepEqual(se.hosts, ["www.wikipedia.org"]);
        assert.equal(se.resolution, "DNS");
        const gw = get(all, "Gateway/istio-system/istio-egressgateway").spec as Any;
        assert.deepEqual(gw.servers[0].hosts, ["*.wikipedia.org"]);
        assert.equal(gw.servers[0].tls.mode, "ISTIO_MUTUAL");
        // Inside Istio mTLS the sidecar sends one name the wildcard covers; the app's SNI travels inside.
        const dr = get(all, "DestinationRule/istio-system/istio-egressgateway").spec as Any;
        assert.equal(dr.subsets[0].trafficPolicy.portLevelSettings[0].tls.sni, "istio-egress.wikipedia.org");
        const vs = get(all, "VirtualService/istio-system/wikipedia").spec as Any;
        assert.deepEqual(vs.hosts, ["*.wikipedia.org"]);
        assert.deepEqual(vs.tls[0].match[0].sniHosts, ["*.wikipedia.org"]);
        assert.deepEqual(vs.tcp[0].route[0].destination, { host: "www.wikipedia.org", port: { number: 443 } });
    });

    it("keeps what the gateway reads visible to the gateway's namespace when exportTo names others", async () => {
        new EgressDestinations("scoped", { gateway: GW, exportTo: ["shop"], destinations: [{ name: "cnn", host: "edition.cnn.com" }] });
        const all = await validatedManifests();
        // The second hop lives in the VirtualService, and its upstream in the ServiceEntry: the
        // gateway (in the objects' own namespace) must see both, or it answers "no route matched".
        assert.deepEqual((get(all, "VirtualService/istio-system/cnn").spec as Any).exportTo, ["shop", "."]);
        assert.deepEqual((get(all, "ServiceEntry/istio-system/cnn").spec as Any).exportTo, ["shop", "."]);
        // Only sidecars use the subsets.
        assert.deepEqual((get(all, "DestinationRule/istio-system/istio-egressgateway").spec as Any).exportTo, ["shop"]);
    });

    it("without exportTo, sends a destination's configuration only to the namespaces that may use it (and the gateway's)", async () => {
        new EgressDestinations("scoped-by-sources", {
            gateway: GW,
            destinations: [
                { name: "cnn", host: "edition.cnn.com", allowedSources: { namespaces: ["shop"], serviceAccounts: ["payments/api"] } },
                { name: "closed", host: "closed.example.com" },
            ],
        });
        const all = await validatedManifests();
        assert.deepEqual((get(all, "VirtualService/istio-system/cnn").spec as Any).exportTo, ["shop", "payments", "."]);
        assert.deepEqual((get(all, "ServiceEntry/istio-system/cnn").spec as Any).exportTo, ["shop", "payments", "."]);
        // Nobody may use it: only the gateway sees it.
        assert.deepEqual((get(all, "VirtualService/istio-system/closed").spec as Any).exportTo, ["."]);
        assert.deepEqual((get(all, "DestinationRule/istio-system/istio-egressgateway").spec as Any).exportTo, ["shop", "payments"]);
    });

    it("splits the gateway's subsets so that each namespace sees those it may use, in exactly one rule", async () => {
        new EgressDestinations("split", {
            gateway: GW,
            destinations: [
                { name: "a", host: "a.example.com", allowedSources: { namespaces: ["team-a"] } },
                { name: "b", host: "b.example.com", allowedSources: { namespaces: ["team-a", "team-b"] } },
                { name: "c", host: "c.example.com", allowedSources: { namespaces: ["team-c", "team-d"] } },
                { name: "closed", host: "closed.example.com" },
            ],
        });
        const all = await validatedManifests();
        const rules = [...all.values()].filter((m) => m.kind === "DestinationRule" && (m.spec as Any).host === GW_HOST);
        const seen = Object.fromEntries(
            rules.map((m) => [
                m.metadata.name,
                { exportTo: (m.spec as Any).exportTo, subsets: (m.spec as Any).subsets.map((s: Any) => s.name) },
            ]),
        );
        assert.deepEqual(seen, {
            // A destination nobody may use goes with every group (its VirtualService names its subset).
            "istio-egressgateway-subsets-team-a": { exportTo: ["team-a"], subsets: ["a", "b", "closed"] },
            "istio-egressgateway-subsets-team-b": { exportTo: ["team-b"], subsets: ["b", "closed"] },
            // Namespaces that may use the same destinations share a rule, named by a hash of the group.
            "istio-egressgateway-subsets-22a60ad2b3": { exportTo: ["team-c", "team-d"], subsets: ["c", "closed"] },
        });
    });

    it("keeps one rule for the gateway's subsets, exported everywhere, when anyone may use a destination", async () => {
        new EgressDestinations("public", {
            gateway: GW,
            destinations: [
                { name: "a", host: "a.example.com", allowedSources: { namespaces: ["team-a"] } },
                { name: "open", host: "open.example.com", allowedSources: { namespaces: ["*"] } },
            ],
        });
        const all = await validatedManifests();
        const dr = get(all, "DestinationRule/istio-system/istio-egressgateway").spec as Any;
        assert.equal(dr.exportTo, undefined);
        assert.deepEqual(
            dr.subsets.map((s: Any) => s.name),
            ["a", "open"],
        );
    });

    it("applies exportTo to every object when asked", async () => {
        new EgressDestinations("export", { gateway: GW, exportTo: ["."], destinations: [{ host: "api.example.com" }] });
        const all = await validatedManifests();
        for (const [id, m] of all) {
            // A Gateway has no exportTo: it is only used where a VirtualService names it; an
            // AuthorizationPolicy applies to the workloads it selects.
            assert.deepEqual((m.spec as Any).exportTo, m.kind === "Gateway" || m.kind === "AuthorizationPolicy" ? undefined : ["."], id);
        }
    });
});

describe("S10 wildcard to arbitrary domains via the SNI proxy (Egress)", () => {
    beforeEach(resetRegistrations);

    it("deploys nginx stream + ssl_preread beside the gateway and routes *.domain to it, keeping non-443 ports", async () => {
        const egress = new Egress("s10", {
            gateway: {
                ports: [
                    { port: 80, protocol: "HTTP" },
                    { port: 443, protocol: "TLS" },
                    { port: 8443, protocol: "TLS" },
                ],
            },
            sniProxy: {},
            destinations: [
                { name: "wikipedia", host: "*.wikipedia.org", protocol: "TLS", sniProxy: true },
                { name: "internal-tls", host: "*.corp.example.com", protocol: "TLS", port: 8443, sniProxy: true },
            ],
        });
        const all = await validatedManifests();
        const conf = (get(all, "ConfigMap/istio-system/egress-sni-proxy") as Any).data["nginx.conf"] as string;
        assert.match(conf, /ssl_preread on;/);
        // Non-root: 443 is served on 10443 in the pod and still forwarded to 443; each port forwards its own hosts.
        assert.match(conf, /listen 10443;/);
        assert.match(conf, /listen 8443;/);
        assert.match(conf, /\*\.wikipedia\.org \$ssl_preread_server_name:443;/);
        assert.match(conf, /\*\.corp\.example\.com \$ssl_preread_server_name:8443;/);
        const dep = get(all, "Deployment/istio-system/egress-sni-proxy") as Any;
        assert.equal(dep.spec.template.metadata.annotations["sidecar.istio.io/inject"], "false");
        assert.deepEqual(dep.spec.template.spec.securityContext, {
            runAsNonRoot: true,
            runAsUser: 101,
            runAsGroup: 101,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepEqual(dep.spec.template.spec.containers[0].securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        assert.deepEqual(
            dep.spec.template.spec.containers[0].ports.map((p: Any) => p.containerPort),
            [10443, 8443],
        );
        const svc = get(all, "Service/istio-system/egress-sni-proxy") as Any;
        assert.deepEqual(
            svc.spec.ports.map((p: Any) => [p.port, p.targetPort]),
            [
                [443, 10443],
                [8443, 8443],
            ],
        );
        assert.deepEqual(svc.spec.selector, dep.spec.selector.matchLabels);
        // Fenced: only the gateway's pods may connect, on the proxy's ports.
        const np = get(all, "NetworkPolicy/istio-system/egress-sni-proxy") as Any;
        assert.deepEqual(np.spec, {
            podSelector: { matchLabels: dep.spec.selector.matchLabels },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: { app: "istio-egressgateway", istio: "egressgateway" } } }],
                    ports: [
                        { protocol: "TCP", port: 10443 },
                        { protocol: "TCP", port: 8443 },
                    ],
                },
            ],
        });
        // Plain TCP from the gateway, whatever mesh-wide TLS rules say.
        assert.deepEqual(get(all, "DestinationRule/istio-system/egress-sni-proxy").spec, {
            host: "egress-sni-proxy.istio-system.svc.cluster.local",
            trafficPolicy: { tls: { mode: "DISABLE" } },
            exportTo: ["."],
        });

        const se = get(all, "ServiceEntry/istio-system/internal-tls").spec as Any;
        assert.deepEqual(se.hosts, ["*.corp.example.com"]);
        assert.equal(se.resolution, "NONE");
        assert.deepEqual(se.ports, [{ number: 8443, protocol: "TLS", name: "tls-8443" }]);
        const vs = get(all, "VirtualService/istio-system/internal-tls").spec as Any;
        assert.deepEqual(vs.tls[0].match[0], { gateways: ["mesh"], port: 8443, sniHosts: ["*.corp.example.com"] });
        assert.deepEqual(vs.tls[0].route[0].destination.port, { number: 8443 });
        assert.deepEqual(vs.tcp[0].route[0].destination, {
            host: "egress-sni-proxy.istio-system.svc.cluster.local",
            port: { number: 8443 },
        });
        const gw = get(all, "Gateway/istio-system/istio-egressgateway").spec as Any;
        assert.deepEqual(
            gw.servers.map((s: Any) => [s.port.number, s.hosts, s.tls.mode]),
            [
                [443, ["*.wikipedia.org"], "ISTIO_MUTUAL"],
                [8443, ["*.corp.example.com"], "ISTIO_MUTUAL"],
            ],
        );
        assert.equal(await unwrap(egress.sniProxyHost), "egress-sni-proxy.istio-system.svc.cluster.local");
    });
});
