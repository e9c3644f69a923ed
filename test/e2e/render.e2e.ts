import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { comparableSet, withoutSkipAwait } from "./support/comparable";
import { KubeObject } from "./support/kubeClient";
import { makeTempDir, removeTempDir } from "./support/processes";
import { exampleStackConfig, REPO_ROOT, withLocalChart } from "./support/pulumiProject";
import { describeObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e, readBack, up } from "./support/suite";

// Rendered YAML for GitOps (npm run render): an example stack's objects written by the kubernetes
// provider's renderYamlToDirectory, applied with server-side apply as Argo CD or Flux would, are
// the objects `pulumi up` of the same stack makes, field by field; and the rendered objects are
// the ones the simulation suite was given.

const SIMULATION_INPUTS = path.join(REPO_ROOT, "out", "xds");
/** Certificates and a MUTUAL credential (a Secret), the SNI proxy, Kubernetes services, NetworkPolicies. */
const STACKS = ["s06-gateway-mutual-origination", "s10-sni-proxy", "s11-kubernetes-services", "s14-network-policies"];
const GITOPS_MANAGER = "gitops-e2e";

interface Rendered {
    readonly stdout: string;
    readonly stderr: string;
    readonly objects: KubeObject[];
}

function render(stack: string, outDir: string, extra: string[] = []): Promise<Rendered> {
    const args = [
        path.join(REPO_ROOT, "bin/render/main.js"),
        stack,
        outDir,
        "--gateway-chart",
        path.join(REPO_ROOT, "charts/gateway"),
        ...extra,
    ];
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, PULUMI_CLI: "pulumi" } }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`render ${stack}: ${stderr || err.message}`));
                return;
            }
            const dir = path.join(outDir, "1-manifest");
            const objects = fs.readdirSync(dir).map((f) => yaml.load(fs.readFileSync(path.join(dir, f), "utf8")) as KubeObject);
            resolve({ stdout, stderr, objects });
        });
    });
}

const identity = (o: KubeObject) => describeObject({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });
const fromChart = (o: KubeObject) => (o.metadata.labels ?? {})["app.kubernetes.io/managed-by"] === "Helm";

describe("e2e: rendered YAML for GitOps (npm run render), applied server-side, is what pulumi up makes", function () {
    this.timeout(20 * 60_000);
    let scratch: string;

    before(async () => {
        scratch = await makeTempDir("render");
    });
    after(async () => {
        await removeTempDir(scratch);
    });

    it("leaves credential Secrets out unless asked, and says so loudly when it writes them", async () => {
        const omitted = await render("s06-gateway-mutual-origination", path.join(scratch, "s06-default"));
        assert.deepEqual(
            omitted.objects.filter((o) => o.kind === "Secret"),
            [],
        );
        assert.match(
            omitted.stdout,
            /left out 1 Secret\(s\), to come from your secret manager under these names: istio-system\/client-credential/,
        );
        const written = await render("s06-gateway-mutual-origination", path.join(scratch, "s06-secrets"), ["--include-secrets"]);
        const secrets = written.objects.filter((o) => o.kind === "Secret");
        assert.deepEqual(secrets.map(identity), ["Secret/istio-system/client-credential"]);
        assert.match(written.stderr, /WARNING: 1 Secret\(s\) written IN PLAIN TEXT \(private keys\): istio-system\/client-credential/);
        const secret = secrets[0] as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
        const key = secret.stringData?.["tls.key"] ?? Buffer.from(secret.data?.["tls.key"] ?? "", "base64").toString("utf8");
        assert.match(key, /BEGIN [A-Z ]*PRIVATE KEY/, "the written Secret holds the key (so the default's check can fail)");
        const file = fs.readdirSync(path.join(scratch, "s06-secrets", "1-manifest")).find((f) => f.startsWith("v1-secret-"));
        assert.equal(
            fs.statSync(path.join(scratch, "s06-secrets", "1-manifest", file as string)).mode & 0o777,
            0o600,
            "readable by its owner only",
        );
    });

    for (const name of STACKS) {
        describe(name, () => {
            let rendered: KubeObject[] = [];
            let stack: Stack | undefined;
            let destroyed = false;

            after(async () => {
                const client = e2e().cluster.client;
                for (const o of rendered) {
                    await client.remove(await client.objectPath(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace));
                }
                if (stack && !destroyed) {
                    await stack.destroy({});
                }
            });

            it("renders the stack's objects, which are the ones the simulation suite was given", async () => {
                rendered = (await render(name, path.join(scratch, name), ["--include-secrets"])).objects;
                assert.ok(rendered.length > 0);
                const simulated = (
                    JSON.parse(fs.readFileSync(path.join(SIMULATION_INPUTS, `${name}.json`), "utf8")) as { objects: KubeObject[] }
                ).objects;
                // The simulation renders the chart itself and never sees Secrets: the rest is the same, object for object.
                const ours = rendered.filter((o) => !fromChart(o) && o.kind !== "Secret");
                const byId = (os: KubeObject[]) =>
                    Object.fromEntries(os.map((o) => [identity(o), o]).sort(([a], [b]) => String(a).localeCompare(String(b))));
                assert.deepEqual(byId(ours), byId(simulated));
            });

            it("applied with server-side apply, then pulumi up of the same stack: the same objects, field by field", async () => {
                const client = e2e().cluster.client;
                const gitops = new Map<string, KubeObject>();
                for (const o of rendered) {
                    await client.apply(o, GITOPS_MANAGER);
                }
                for (const o of rendered) {
                    gitops.set(
                        identity(o),
                        await client.get(await client.objectPath(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace)),
                    );
                }
                for (const o of rendered) {
                    await client.remove(await client.objectPath(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace));
                }
                rendered = [];

                stack = await e2e().project.stack(`render-${name}`, withLocalChart(exampleStackConfig(name)));
                await up(stack);
                const objects = await stateObjects(stack);
                const live = await readBack(objects);
                assert.deepEqual(comparableSet(gitops), comparableSet(withoutSkipAwait(live)));
                await destroyAndCheck(stack, objects);
                destroyed = true;
            });
        });
    }
});
