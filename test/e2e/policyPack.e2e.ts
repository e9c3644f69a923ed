import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { makeTempDir, removeTempDir } from "./support/processes";
import {
    exampleStackConfig,
    projectEnv,
    REPO_ROOT,
    runPulumi,
    TEST_STACK_PROGRAM,
    toolchainPulumi,
    withLocalChart,
} from "./support/pulumiProject";
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
const compliant = new pulumi.Config().getBoolean("compliant") === true;
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

function project(dir: string, name: string, main: string, config: Record<string, unknown> = {}): void {
    fs.mkdirSync(dir, { recursive: true });
    const repoProject = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { config?: unknown };
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        yaml.dump({
            name,
            runtime: { name: "nodejs", options: { typescript: false } },
            main: "index.js",
            config: repoProject.config ?? {},
        }),
    );
    fs.writeFileSync(path.join(dir, "index.js"), main);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "Pulumi.e2e.yaml"), yaml.dump({ config }));
}

interface Preview {
    readonly ok: boolean;
    readonly output: string;
}

describe("e2e: the policy pack in another stack's preview (pulumi preview --policy-pack)", function () {
    this.timeout(15 * 60_000);
    let scratch: string;
    let pulumi: PulumiCommand;
    let packDir: string;

    const preview = async (dir: string, extra: string[] = []): Promise<Preview> => {
        const env = projectEnv(path.join(dir, ".state"), e2e().cluster.kubeconfigPath);
        fs.mkdirSync(path.join(dir, ".state"), { recursive: true });
        await runPulumi(pulumi, ["stack", "select", "e2e", "--create"], dir, env);
        return runPulumi(pulumi, ["preview", "--policy-pack", packDir, ...extra], dir, env).then(
            (output) => ({ ok: true, output }),
            (e: Error) => ({ ok: false, output: e.message }),
        );
    };

    before(async () => {
        scratch = await makeTempDir("policy");
        pulumi = await toolchainPulumi();
        // The repository's policy/ directory is the pack (PulumiPolicy.yaml, package.json whose main is the build).
        packDir = path.join(REPO_ROOT, "policy");
    });
    after(async () => {
        await removeTempDir(scratch);
    });

    it("fails the preview of a program that breaks every rule, naming each policy and object", async () => {
        const dir = path.join(scratch, "other-team");
        project(dir, "other-team", OTHER_TEAM_PROGRAM);
        const r = await preview(dir);
        assert.equal(r.ok, false, `the preview passed:\n${r.output.slice(-3000)}`);
        for (const name of POLICY_NAMES) {
            assert.match(r.output, new RegExp(name), `${name} in:\n${r.output.slice(-4000)}`);
        }
        assert.match(r.output, /ServiceEntry shop\/vendor-api opens api\.vendor\.example\.com \(MESH_EXTERNAL\)/);
        assert.match(r.output, /mandatory/);
    });

    it("passes the same program made compliant", async () => {
        const dir = path.join(scratch, "other-team-compliant");
        project(dir, "other-team", OTHER_TEAM_PROGRAM, { "other-team:compliant": true });
        const r = await preview(dir);
        assert.ok(r.ok, r.output.slice(-4000));
        assert.doesNotMatch(r.output, /istio-egress-[a-z-]+ \(/);
    });

    it("takes its config: the namespace made an egress namespace is let through", async () => {
        const dir = path.join(scratch, "other-team-configured");
        project(dir, "other-team", OTHER_TEAM_PROGRAM);
        const config = path.join(scratch, "policy-config.json");
        fs.writeFileSync(
            config,
            JSON.stringify({ "istio-egress-mesh-external-in-egress-namespaces": { egressNamespaces: ["istio-system", "shop"] } }),
        );
        const r = await preview(dir, ["--policy-pack-config", config]);
        assert.equal(r.ok, false);
        assert.doesNotMatch(r.output, /opens api\.vendor\.example\.com/);
        assert.match(r.output, /istio-egress-no-allow-any/);
    });

    it("passes the egress stack itself (s06: everything in istio-system)", async () => {
        const dir = path.join(scratch, "egress");
        const config = withLocalChart(exampleStackConfig("s06-gateway-mutual-origination"));
        project(dir, "istio-egress", `module.exports = require(${JSON.stringify(TEST_STACK_PROGRAM)});\n`, config);
        const r = await preview(dir);
        assert.ok(r.ok, r.output.slice(-4000));
    });
});
