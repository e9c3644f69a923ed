import * as assert from "node:assert/strict";
import { z } from "zod";
import { sniProxyConfig, BLOCKED_UPSTREAM } from "../proxy/sniProxyConfig";
import { planDestinations } from "../istio/destinationObjects";
import { destinationNameFromHost, resolvedDestinationsSchema, sanMatchesHost } from "../validation/destinations";
import { parseOrThrow, ValidationError } from "../validation/format";
import { ipOrCidr, hostPattern } from "../validation/common";
import { endpointSlices } from "../kube/selectorlessService";
import { gatewayValues, mergeValues } from "../helm/gatewayValues";
import { istioSchemaErrors, gatewayValuesErrors } from "./helpers/schemas";

// Pure builders and validation pieces, tested without the Pulumi runtime.

describe("pure builders", () => {
    it("SNI proxy config: one server per port with its own allow list, forwarding to the port the client called, refusing the rest", () => {
        const conf = sniProxyConfig({
            listeners: [
                { listenPort: 10443, upstreamPort: 443, allowedHosts: ["*.wikipedia.org", "api.example.com"] },
                { listenPort: 9443, upstreamPort: 9443, allowedHosts: ["*.partner.example.com"] },
            ],
            resolvers: ["10.96.0.10"],
        });
        assert.match(conf, /^stream \{$/m);
        assert.match(conf, /^\s+listen 10443;$/m);
        assert.match(conf, /^\s+listen 9443;$/m);
        assert.doesNotMatch(conf, /listen \[::\]/, "no IPv6 listener unless asked");
        assert.match(conf, /^\s+ssl_preread on;$/m);
        assert.match(conf, /^\s+resolver 10\.96\.0\.10 valid=30s ipv6=off;$/m);
        assert.match(conf, new RegExp(`^\\s+default ${BLOCKED_UPSTREAM.replace(/\./g, "\\.")};$`, "m"));
        // Listening on 10443 (non-root), forwarding to 443; 9443 forwards only the partner hosts.
        const block = (port: number) =>
            conf.slice(
                conf.indexOf(`map $ssl_preread_server_name $egress_upstream_${port} {`),
                conf.indexOf(`proxy_pass $egress_upstream_${port};`),
            );
        assert.match(block(10443), /^\s+\*\.wikipedia\.org \$ssl_preread_server_name:443;$/m);
        assert.match(block(10443), /^\s+api\.example\.com \$ssl_preread_server_name:443;$/m);
        assert.doesNotMatch(block(10443), /partner/);
        assert.match(block(9443), /^\s+\*\.partner\.example\.com \$ssl_preread_server_name:9443;$/m);
        assert.doesNotMatch(block(9443), /wikipedia/);
        const loopback = sniProxyConfig({
            listeners: [{ listenPort: 8443, upstreamPort: 443, allowedHosts: ["a.example.com"] }],
            resolvers: ["127.0.0.1:5353"],
            listenAddress: "::1",
        });
        assert.match(loopback, /listen \[::1\]:8443;/);
        const dual = sniProxyConfig({
            listeners: [{ listenPort: 10443, upstreamPort: 443, allowedHosts: ["a.example.com"] }],
            resolvers: ["fd00::10"],
            ipv6: true,
        });
        assert.match(dual, /^\s+listen 10443;\n\s+listen \[::\]:10443;$/m);
        assert.match(dual, /resolver \[fd00::10\] valid=30s ipv6=on;/);
    });

    it("SNI proxy config: refuses inputs nginx would refuse or that could inject directives", () => {
        const one = (allowedHosts: string[]) => ({
            listeners: [{ listenPort: 10443, upstreamPort: 443, allowedHosts }],
            resolvers: ["10.96.0.10"],
        });
        assert.throws(() => sniProxyConfig(one(["a.example.com; include /etc/passwd"])), /is not a host name/);
        assert.throws(() => sniProxyConfig(one(["a.example.com", "a.example.com"])), /lists a host twice/);
        assert.throws(() => sniProxyConfig({ ...one(["a.example.com"]), resolvers: ["10.0.0.1; daemon off"] }), /resolvers/);
        assert.throws(
            () =>
                sniProxyConfig({
                    listeners: [
                        { listenPort: 1, upstreamPort: 443, allowedHosts: ["a.b.com"] },
                        { listenPort: 1, upstreamPort: 9443, allowedHosts: ["c.d.com"] },
                    ],
                    resolvers: ["10.96.0.10"],
                }),
            /used twice/,
        );
        // A long host name gets a map hash bucket large enough for nginx.
        const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.example.com`;
        assert.match(sniProxyConfig(one([long])), /map_hash_bucket_size 256;/);
    });

    it("gives every destination its own Istio-mTLS Gateway server, so a terminated TLS stream is forwarded by its own tcp route", () => {
        const resolved = parseOrThrow(resolvedDestinationsSchema, {
            gateway: {
                name: "istio-egressgateway",
                namespace: "istio-system",
                selector: { istio: "egressgateway" },
                ports: [
                    { port: 80, protocol: "HTTP" },
                    { port: 443, protocol: "TLS" },
                ],
            },
            destinations: [
                { name: "a", host: "a.com", protocol: "TLS" },
                { name: "b", host: "b.com", protocol: "TLS" },
                { name: "c", host: "c.com" },
            ],
            defaultAllowedSources: { namespaces: ["shop"] },
        });
        const gw = planDestinations(resolved, {}).shared.find((o) => o.kind === "Gateway");
        assert.deepEqual((gw!.spec as { servers: unknown[] }).servers, [
            { port: { number: 443, protocol: "TLS", name: "tls-443-a" }, hosts: ["a.com"], tls: { mode: "ISTIO_MUTUAL" } },
            { port: { number: 443, protocol: "TLS", name: "tls-443-b" }, hosts: ["b.com"], tls: { mode: "ISTIO_MUTUAL" } },
            { port: { number: 80, protocol: "HTTPS", name: "https-80" }, hosts: ["c.com"], tls: { mode: "ISTIO_MUTUAL" } },
        ]);
    });

    it("plans S5-style origination at the gateway: ISTIO_MUTUAL to the gateway, the credential at the gateway, all CRD-valid", () => {
        const resolved = parseOrThrow(resolvedDestinationsSchema, {
            gateway: {
                name: "istio-egressgateway",
                namespace: "istio-system",
                selector: { istio: "egressgateway" },
                ports: [
                    { port: 80, protocol: "HTTP" },
                    { port: 443, protocol: "TLS" },
                ],
            },
            destinations: [
                {
                    name: "nginx",
                    host: "my-nginx.mesh-external.svc.cluster.local",
                    createServiceEntry: false,
                    tls: {
                        mode: "MUTUAL",
                        credentialName: "client-credential",
                        subjectAltNames: ["my-nginx.mesh-external.svc.cluster.local"],
                    },
                },
            ],
        });
        const plan = planDestinations(resolved, {});
        const [gw, gwDr] = plan.shared;
        assert.deepEqual((gw!.spec as { servers: unknown[] }).servers, [
            {
                port: { number: 443, protocol: "HTTPS", name: "https-443" },
                hosts: ["my-nginx.mesh-external.svc.cluster.local"],
                tls: { mode: "ISTIO_MUTUAL" },
            },
        ]);
        assert.deepEqual((gwDr!.spec as { subsets: unknown[] }).subsets, [
            {
                name: "nginx",
                trafficPolicy: {
                    portLevelSettings: [
                        { port: { number: 443 }, tls: { mode: "ISTIO_MUTUAL", sni: "my-nginx.mesh-external.svc.cluster.local" } },
                    ],
                },
            },
        ]);
        const [vs, dr] = plan.perDestination[0]!.objects;
        assert.equal(vs!.kind, "VirtualService");
        assert.deepEqual(dr!.spec as unknown as Record<string, unknown>, {
            host: "my-nginx.mesh-external.svc.cluster.local",
            trafficPolicy: {
                portLevelSettings: [
                    {
                        port: { number: 443 },
                        tls: {
                            mode: "MUTUAL",
                            credentialName: "client-credential",
                            sni: "my-nginx.mesh-external.svc.cluster.local",
                            subjectAltNames: ["my-nginx.mesh-external.svc.cluster.local"],
                        },
                    },
                ],
            },
            exportTo: ["."],
            workloadSelector: { matchLabels: { istio: "egressgateway" } },
        });
        for (const obj of [...plan.shared, ...plan.perDestination[0]!.objects]) {
            assert.deepEqual(istioSchemaErrors(obj), [], obj.kind);
        }
    });

    it("derives stable, valid names from hosts", () => {
        assert.equal(destinationNameFromHost("edition.cnn.com"), "edition-cnn-com");
        assert.equal(destinationNameFromHost("*.wikipedia.org"), "wildcard-wikipedia-org");
        const long = destinationNameFromHost(`${"a".repeat(60)}.${"b".repeat(60)}.example.com`);
        assert.ok(long.length <= 63 && /^[a-z0-9-]+$/.test(long));
        assert.equal(long, destinationNameFromHost(`${"a".repeat(60)}.${"b".repeat(60)}.example.com`));
    });

    it("matches certificate SANs like TLS clients do (one label per wildcard)", () => {
        assert.ok(sanMatchesHost("a.example.com", "a.example.com"));
        assert.ok(sanMatchesHost("*.example.com", "a.example.com"));
        assert.ok(!sanMatchesHost("*.example.com", "a.b.example.com"));
        assert.ok(!sanMatchesHost("*.example.com", "example.com"));
        assert.ok(!sanMatchesHost("b.example.com", "a.example.com"));
    });

    it("splits dual-stack endpoints into one EndpointSlice per family", () => {
        const slices = endpointSlices(
            { name: "svc", namespace: "ns" },
            "svc",
            ["10.0.0.1", "fd00::1"],
            [{ name: "tls", port: 443, protocol: "TCP" }],
        );
        assert.deepEqual(
            slices.map((s) => [s.metadata.name, s.addressType, s.endpoints[0]!.addresses]),
            [
                ["svc-ipv4", "IPv4", ["10.0.0.1"]],
                ["svc-ipv6", "IPv6", ["fd00::1"]],
            ],
        );
    });

    it("builds chart values that satisfy the chart schema, and merges overrides deeply", () => {
        const v = gatewayValues({
            name: "gw",
            labels: { istio: "egressgateway" },
            ports: [
                { port: 8080, protocol: "HTTP" },
                { port: 9443, protocol: "TLS", targetPort: 19443 },
            ],
            replicas: 1,
        });
        assert.deepEqual(gatewayValuesErrors(v), []);
        assert.deepEqual((v.service as { ports: unknown[] }).ports.slice(1), [
            { name: "http-8080", port: 8080, protocol: "TCP", targetPort: 8080 },
            { name: "tls-9443", port: 9443, protocol: "TCP", targetPort: 19443 },
        ]);
        assert.deepEqual(mergeValues({ a: { b: 1, c: [1] } }, { a: { c: [2], d: 3 } }), { a: { b: 1, c: [2], d: 3 } });
    });
});

describe("validation pieces", () => {
    it("formats the first problem as path: message (got value), counting the rest", () => {
        const schema = z.strictObject({ items: z.array(z.strictObject({ port: z.number().max(10) })) });
        assert.throws(
            () => parseOrThrow(schema, { items: [{ port: 1 }, { port: 11 }, { port: 12 }] }),
            (e: ValidationError) => {
                assert.match(e.message, /^items\[1\]\.port: .* \(got 11\) \(and 1 more problem\)$/);
                assert.equal(e.issues.length, 2);
                return true;
            },
        );
    });

    it("accepts IPs and CIDRs of both families and nothing else", () => {
        for (const ok of ["10.0.0.1", "10.0.0.0/8", "::1", "fd00::/64"]) {
            assert.ok(ipOrCidr.safeParse(ok).success, ok);
        }
        for (const bad of ["10.0.0.1/33", "fd00::/129", "proxy.local", "10.0.0.1/8/1", "10.0.0/24"]) {
            assert.ok(!ipOrCidr.safeParse(bad).success, bad);
        }
    });

    it("accepts exact hosts and leading wildcards only", () => {
        for (const ok of ["edition.cnn.com", "*.wikipedia.org", "*.foo.com", "my-nginx.mesh-external.svc.cluster.local"]) {
            assert.ok(hostPattern.safeParse(ok).success, ok);
        }
        for (const bad of ["*", "*.", "foo", "a_b.com", "-a.com", "a.*.com", "1.2.3.4", "A.com"]) {
            assert.ok(!hostPattern.safeParse(bad).success, bad);
        }
    });
});
