import * as assert from "node:assert/strict";
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { EGRESS_POLICIES } from "../policy/policies";
import { DEFAULT_RULES_CONFIG, EgressRulesConfig, isClusterHost } from "../policy/rules";
import { resetRegistrations, settle } from "./helpers/mocks";
import { exampleStacks, loadStackConfig, runProgram, STACKS_DIR } from "./helpers/stackProgram";
import * as path from "node:path";

// The policy pack's rules, through the policies' own validateResource, as the analyzer calls them.

/** Violations the pack reports for one resource, by policy name. */
function violations(type: string, props: Record<string, unknown>, config: Partial<EgressRulesConfig> = {}): string[] {
    const found: string[] = [];
    for (const p of EGRESS_POLICIES as ResourceValidationPolicy[]) {
        const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
        const args = {
            type,
            props,
            urn: `urn:pulumi:s::p::${type}::x`,
            name: "x",
            getConfig: () => config,
        } as unknown as ResourceValidationArgs;
        for (const v of validations) {
            void v?.(args, (message: string) => found.push(`${p.name}: ${message}`));
        }
    }
    return found;
}

const istio = (group: string, kind: string, namespace: string | undefined, spec: Record<string, unknown>) =>
    [
        `kubernetes:${group}/v1:${kind}`,
        { apiVersion: `${group}/v1`, kind, metadata: { name: "x", ...(namespace ? { namespace } : {}) }, spec },
    ] as const;

describe("policy pack: the egress rules other stacks are held to", () => {
    it("a MESH_EXTERNAL ServiceEntry outside the egress namespaces (also by default location, and in v1beta1)", () => {
        const [type, props] = istio("networking.istio.io", "ServiceEntry", "shop", {
            hosts: ["api.example.com"],
            location: "MESH_EXTERNAL",
        });
        assert.deepEqual(
            violations(type, props).map((v) => v.split(":")[0]),
            ["istio-egress-mesh-external-in-egress-namespaces"],
        );
        assert.match(
            violations(type, props)[0] as string,
            /ServiceEntry shop\/x opens api\.example\.com \(MESH_EXTERNAL\) outside the egress namespaces \(istio-system\)/,
        );
        const noLocation = { ...props, spec: { hosts: ["api.example.com"] } };
        assert.equal(violations("kubernetes:networking.istio.io/v1beta1:ServiceEntry", noLocation).length, 1);
        // Allowed: in an egress namespace, configured namespaces, or inside the mesh.
        assert.deepEqual(violations(type, { ...props, metadata: { name: "x", namespace: "istio-system" } }), []);
        assert.deepEqual(violations(type, props, { egressNamespaces: ["shop"] }), []);
        assert.deepEqual(violations(type, { ...props, spec: { hosts: ["a.b"], location: "MESH_INTERNAL" } }), []);
        // No namespace: the default one.
        assert.equal(violations(...istio("networking.istio.io", "ServiceEntry", undefined, { hosts: ["a.example.com"] })).length, 1);
    });

    it("ALLOW_ANY in a Sidecar, istiod's Helm values or the mesh ConfigMap", () => {
        assert.equal(
            violations(...istio("networking.istio.io", "Sidecar", "shop", { outboundTrafficPolicy: { mode: "ALLOW_ANY" } })).length,
            1,
        );
        assert.deepEqual(
            violations(...istio("networking.istio.io", "Sidecar", "shop", { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } })),
            [],
        );
        const release = { name: "istiod", chart: "istiod", values: { meshConfig: { outboundTrafficPolicy: { mode: "ALLOW_ANY" } } } };
        assert.equal(violations("kubernetes:helm.sh/v3:Release", release).length, 1);
        assert.equal(violations("kubernetes:helm.sh/v4:Chart", release).length, 1);
        assert.deepEqual(violations("kubernetes:helm.sh/v3:Release", { ...release, values: {} }), []);
        const mesh = {
            metadata: { name: "istio", namespace: "istio-system" },
            data: { mesh: "accessLogFile: /dev/stdout\noutboundTrafficPolicy:\n  mode: ALLOW_ANY\n" },
        };
        assert.equal(violations("kubernetes:core/v1:ConfigMap", mesh).length, 1);
        assert.deepEqual(
            violations("kubernetes:core/v1:ConfigMap", { ...mesh, data: { mesh: "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n" } }),
            [],
        );
        assert.deepEqual(violations("kubernetes:core/v1:ConfigMap", { ...mesh, metadata: { name: "app-config" } }), []);
    });

    it('a workload-level Sidecar that re-opens "*/*" (a namespace-wide one is Istio\'s default shape)', () => {
        const reopen = { workloadSelector: { labels: { app: "legacy" } }, egress: [{ hosts: ["./*", "*/*"] }] };
        assert.equal(violations(...istio("networking.istio.io", "Sidecar", "shop", reopen)).length, 1);
        assert.deepEqual(violations(...istio("networking.istio.io", "Sidecar", "shop", { egress: [{ hosts: ["*/*"] }] })), []);
        assert.deepEqual(
            violations(...istio("networking.istio.io", "Sidecar", "shop", { ...reopen, egress: [{ hosts: ["./*", "istio-system/*"] }] })),
            [],
        );
    });

    it("a DestinationRule that disables TLS to an external host (at any level), not to a Service", () => {
        const dr = (host: string, trafficPolicy: Record<string, unknown>) =>
            istio("networking.istio.io", "DestinationRule", "shop", { host, trafficPolicy });
        assert.equal(violations(...dr("api.example.com", { tls: { mode: "DISABLE" } })).length, 1);
        assert.equal(
            violations(...dr("api.example.com", { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] })).length,
            1,
        );
        const subset = istio("networking.istio.io", "DestinationRule", "shop", {
            host: "api.example.com",
            subsets: [{ name: "a", trafficPolicy: { tls: { mode: "DISABLE" } } }],
        });
        assert.equal(violations(...subset).length, 1);
        assert.deepEqual(violations(...dr("api.example.com", { tls: { mode: "SIMPLE" } })), []);
        assert.deepEqual(violations(...dr("egress-sni-proxy.istio-system.svc.cluster.local", { tls: { mode: "DISABLE" } })), []);
        assert.deepEqual(violations(...dr("api.example.com", { tls: { mode: "DISABLE" } }), { plaintextHosts: ["api.example.com"] }), []);
        assert.ok(
            isClusterHost("reviews", "cluster.local") &&
                isClusterHost("a.b.svc", "cluster.local") &&
                !isClusterHost("example.com", "cluster.local"),
        );
    });

    it("passes everything else (no false positives on unrelated kinds)", () => {
        assert.deepEqual(violations("kubernetes:core/v1:Service", { metadata: { name: "x", namespace: "shop" }, spec: {} }), []);
        assert.deepEqual(violations("aws:s3/bucket:Bucket", {}), []);
    });

    it("the example stacks' own objects comply, with the pack configured with their namespaces", async () => {
        const report: string[] = [];
        for (const stack of exampleStacks()) {
            resetRegistrations();
            loadStackConfig(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`));
            runProgram();
            const all = await settle();
            const namespaces = [
                ...new Set(
                    all.map((r) => (r.inputs.metadata as { namespace?: string } | undefined)?.namespace).filter((n): n is string => !!n),
                ),
            ];
            for (const r of all) {
                report.push(
                    ...violations(r.type, r.inputs, { ...DEFAULT_RULES_CONFIG, egressNamespaces: namespaces }).map((v) => `${stack}: ${v}`),
                );
            }
        }
        // The one plain-text host is deliberate: Istio's guide sends plain HTTP to httpbin.org through an
        // ExternalName Service. The pack flags it, and a stack that means it lists it in plaintextHosts.
        assert.deepEqual(report, [
            "s11-kubernetes-services: istio-egress-no-plaintext-to-external-hosts: DestinationRule default/my-httpbin disables TLS to the external host httpbin.org (plain text leaves the cluster)",
        ]);
    });
});
