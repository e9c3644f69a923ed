import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeTempDir, removeTempDir } from "./support/processes";
import { createProject, E2eProject, exampleStackConfig, REPO_ROOT, withLocalChart } from "./support/pulumiProject";
import { e2e } from "./support/suite";

// The policy pack for real: `pulumi preview --policy-pack` with the toolchain's CLI, which starts
// the pack through the Node.js language host (RunPlugin, kind analyzer), against another team's
// program that breaks each egress rule, the same program made compliant, and the egress stack.

const POLICY_NAMES = [
    "istio-egress-mesh-external-in-egress-namespaces",
    "istio-egress-no-allow-any",
    "istio-egress-no-workload-sidecar-reopening-egress",
    "istio-egress-no-plaintext-to-external-hosts",
];

/** Another team's program: Istio objects in its namespace, breaking the rules unless "compliant". */
const OTHER_TEAM_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const compliant = new pulumi.Config().getBoolean("compliant") === true; // istio-egress:compliant
const cr = (name, kind, spec) => new k8s.apiextensions.CustomResource(name, {
    apiVersion: "networking.istio.io/v1", kind, metadata: { name, namespace: "shop" }, spec,
});
if (!compliant) {
    cr("vendor-api", "ServiceEntry", { hosts: ["api.vendor.example.com"], location: "MESH_EXTERNAL", resolution: "DNS",
        ports: [{ number: 443, name: "tls", protocol: "TLS" }] });
    cr("default", "Sidecar", { outboundTrafficPolicy: { mode: "ALLOW_ANY" } });
    cr("legacy", "Sidecar", { workloadSelector: { labels: { app: "legacy" } }, egress: [{ hosts: ["*/*"] }] });
    cr("vendor-plain", "DestinationRule", { host: "api.vendor.example.com", trafficPolicy: { tls: { mode: "DISABLE" } } });
} else {
    cr("default", "Sidecar", { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" }, egress: [{ hosts: ["./*", "istio-system/*"] }] });
    cr("reviews", "DestinationRule", { host: "reviews.shop.svc.cluster.local", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } });
}
`;

interface Preview {
    readonly ok: boolean;
    readonly output: string;
}

describe("e2e: the policy pack in another stack's preview (pulumi preview --policy-pack)", function () {
    this.timeout(15 * 60_000);
    // The repository's policy/ directory is the pack (PulumiPolicy.yaml, package.json whose main is the build).
    const packDir = path.join(REPO_ROOT, "policy");
    let scratch: string;
    const projects: E2eProject[] = [];

    /**
     * Previews a stack of a fresh e2e project with the pack; `program` replaces the project's
     * program (the egress stack program otherwise). Config keys are the project's (istio-egress:).
     */
    const preview = async (config: Record<string, unknown>, program?: string, extra: string[] = []): Promise<Preview> => {
        const project = await createProject(e2e().cluster.kubeconfigPath, { label: "policy" });
        projects.push(project);
        if (program !== undefined) {
            fs.writeFileSync(path.join(project.dir, "index.js"), program);
        }
        await project.stack("e2e", config);
        return project.cli(["preview", "--stack", "e2e", "--policy-pack", packDir, ...extra]).then(
            (output) => ({ ok: true, output }),
            (e: Error) => ({ ok: false, output: e.message }),
        );
    };

    before(async () => {
        scratch = await makeTempDir("policy");
    });
    after(async () => {
        projects.forEach((p) => p.cleanup());
        await removeTempDir(scratch);
    });

    it("fails the preview of a program that breaks every rule, naming each policy and object", async () => {
        const r = await preview({}, OTHER_TEAM_PROGRAM);
        assert.equal(r.ok, false, `the preview passed:\n${r.output.slice(-3000)}`);
        for (const name of POLICY_NAMES) {
            assert.match(r.output, new RegExp(name), `${name} in:\n${r.output.slice(-4000)}`);
        }
        assert.match(r.output, /ServiceEntry shop\/vendor-api opens api\.vendor\.example\.com \(MESH_EXTERNAL\)/);
        assert.match(r.output, /mandatory/);
    });

    it("passes the same program made compliant", async () => {
        const r = await preview({ "istio-egress:compliant": true }, OTHER_TEAM_PROGRAM);
        assert.ok(r.ok, r.output.slice(-4000));
        assert.doesNotMatch(r.output, /istio-egress-[a-z-]+ \(/);
    });

    it("takes its config: the namespace made an egress namespace is let through", async () => {
        const config = path.join(scratch, "policy-config.json");
        fs.writeFileSync(
            config,
            JSON.stringify({ "istio-egress-mesh-external-in-egress-namespaces": { egressNamespaces: ["istio-system", "shop"] } }),
        );
        const r = await preview({}, OTHER_TEAM_PROGRAM, ["--policy-pack-config", config]);
        assert.equal(r.ok, false);
        assert.doesNotMatch(r.output, /opens api\.vendor\.example\.com/);
        assert.match(r.output, /istio-egress-no-allow-any/);
    });

    it("passes the egress stack itself (s06: everything in istio-system)", async () => {
        const r = await preview(withLocalChart(exampleStackConfig("s06-gateway-mutual-origination")));
        assert.ok(r.ok, r.output.slice(-4000));
    });
});
