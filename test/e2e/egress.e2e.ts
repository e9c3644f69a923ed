import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { KubeObject } from "./support/kubeClient";
import { exampleStackConfig, OperationLog, REPO_ROOT, withLocalChart } from "./support/pulumiProject";
import { describeObject, notContained, StateObject, stateObjects } from "./support/stackObjects";
import { checkpointFiles, destroyAndCheck, e2e, privateKeyPaths, readBack, up } from "./support/suite";
import { acceptedAnalyzerMessage, istioctlAnalyze } from "./support/istioctl";
import { scenarioChecks } from "./scenarioChecks";

// The package as users run it: the real Pulumi CLI, Node.js language host, kubernetes and tls
// provider plugins, against a real kube-apiserver holding Istio's CRDs. For every example stack
// (stacks/Pulumi.sNN-*.yaml): up, read back, a no-change preview, no plaintext keys in the
// state, istioctl analyze, destroy. Deeper checks for single stacks live in their own files.

/** What render.js wrote for the simulation suite (scripts/e2e.sh renders before mocha runs). */
const SIMULATION_INPUTS = path.join(REPO_ROOT, "out", "xds");

interface RenderedObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
}

const EXAMPLE_STACKS = fs
    .readdirSync(path.join(REPO_ROOT, "stacks"))
    .map((f) => /^Pulumi\.(s\d\d-[a-z0-9-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

describe("e2e: every example stack, with the real engine against a real API server", function () {
    this.timeout(15 * 60_000);

    it("istioctl analyze finds errors in a broken object set (so the checks below can fail)", async () => {
        const broken: KubeObject = {
            apiVersion: "networking.istio.io/v1",
            kind: "VirtualService",
            metadata: { name: "broken", namespace: "default" },
            spec: {
                hosts: ["edition.cnn.com"],
                gateways: ["istio-system/missing"],
                http: [{ route: [{ destination: { host: "edition.cnn.com", subset: "missing" } }] }],
            },
        };
        const r = await istioctlAnalyze([broken]);
        assert.equal(r.errors.length, 2, r.output);
        assert.ok(
            r.errors.every((l) => l.includes("IST0101")),
            r.output,
        );
        assert.notEqual(r.exitCode, 0);
    });

    for (const name of EXAMPLE_STACKS) {
        describe(name, () => {
            let stack: Stack;
            let objects: StateObject[] = [];
            let live = new Map<string, KubeObject>();
            let destroyed = false;

            // Leave the cluster clean for the next stack even when a test above failed.
            after(async () => {
                if (stack && !destroyed) {
                    await stack.destroy({});
                }
            });

            it("pulumi up creates every object, and the API server accepts them", async () => {
                stack = await e2e().project.stack(name, withLocalChart(exampleStackConfig(name)));
                const log = await up(stack);
                assert.deepEqual(
                    log.diagnostics.filter((d) => d.startsWith("error")),
                    [],
                );
                // A clean run says nothing it need not (an undefined stack output used to warn here).
                assert.deepEqual(
                    log.diagnostics.filter((d) => d.startsWith("warning")),
                    [],
                );
                objects = await stateObjects(stack);
                assert.ok(objects.length > 0, "the stack created no Kubernetes objects");
            });

            it("reads every object back from the API server with the spec Pulumi sent", async () => {
                live = await readBack(objects);
            });

            it("the API server holds exactly the objects the simulation suite was given", () => {
                const file = path.join(SIMULATION_INPUTS, `${name}.json`);
                const rendered = (JSON.parse(fs.readFileSync(file, "utf8")) as { objects: RenderedObject[] }).objects;
                // The chart's objects come from the chart (the simulation renders the official
                // one), and Secrets are never written out: everything else must be the same set.
                const deployed = objects.filter((o) => !o.urn.includes("helm.sh/v4:Chart$") && o.kind !== "Secret");
                const ids = (os: { kind: string; name: string; namespace?: string }[]) => os.map(describeObject).sort();
                assert.deepEqual(
                    ids(rendered.map((o) => ({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }))),
                    ids(deployed),
                );
                for (const o of rendered) {
                    const id = describeObject({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });
                    const liveObject = live.get(id);
                    assert.ok(liveObject, `${id} is not in the API server`);
                    assert.deepEqual(notContained(o, liveObject), [], `${id}: the simulated object differs from the deployed one`);
                }
            });

            it("matches the scenario (objects read back from the API server)", async () => {
                const check = scenarioChecks[name];
                assert.ok(check, `no scenario check for ${name}: add one to scenarioChecks.ts`);
                await check(live, e2e().cluster.client);
            });

            it("a second pulumi preview reports no changes", async () => {
                const log = new OperationLog();
                const r = await stack.preview({ onEvent: log.onEvent });
                assert.deepEqual([...log.changed()], [], "preview after up wants changes");
                assert.deepEqual(Object.keys(r.changeSummary), ["same"]);
            });

            it("pulumi stack export holds no private key in plain text", async () => {
                const p = e2e().project;
                const exported = JSON.parse(await p.cli(["stack", "export", "--stack", name]));
                assert.deepEqual(privateKeyPaths(exported), [], "private keys in plain text in `pulumi stack export`");
                for (const file of checkpointFiles(p.backendDir)) {
                    assert.deepEqual(
                        privateKeyPaths(JSON.parse(fs.readFileSync(file, "utf8"))),
                        [],
                        `private keys in plain text in ${file}`,
                    );
                }
                // The check can fail: decrypted, the keys are there, and only inside secret values.
                const decrypted = privateKeyPaths(JSON.parse(await p.cli(["stack", "export", "--show-secrets", "--stack", name])));
                assert.deepEqual(
                    decrypted.filter((at) => !at.endsWith(".plaintext")),
                    [],
                    "private keys outside secret values",
                );
                if ("istio-egress:certificates" in exampleStackConfig(name)) {
                    assert.ok(decrypted.length > 0, "no private key found even decrypted: the check would not see one");
                }
            });

            it("istioctl analyze --use-kube=false reports nothing, at any level, for the deployed objects", async () => {
                const objects = [...live.values()];
                const r = await istioctlAnalyze(objects);
                assert.deepEqual(
                    r.messages.filter((l) => !acceptedAnalyzerMessage(l, objects)),
                    [],
                    r.output,
                );
                assert.equal(r.exitCode, 0, r.output);
            });

            it("pulumi destroy leaves none of the stack's objects in the API server", async () => {
                destroyed = true;
                await destroyAndCheck(stack, objects);
            });
        });
    }
});
