import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { startCluster, TestCluster } from "./support/cluster";
import { KubeObject } from "./support/kubeClient";
import { createProject, E2eProject, exampleStackConfig, OperationLog, REPO_ROOT, withLocalChart } from "./support/pulumiProject";
import { describeObject, liveObject, notContained, StateObject, stateObjects } from "./support/stackObjects";
import { istioctlAnalyze } from "./support/istioctl";
import { scenarioChecks } from "./scenarioChecks";

// The package as users run it: the real Pulumi CLI, Node.js language host, kubernetes and tls
// provider plugins, against a real kube-apiserver holding Istio's CRDs. For every example stack
// (stacks/Pulumi.sNN-*.yaml): up, read back, a no-change preview, no plaintext keys in the
// state, istioctl analyze, destroy. Deeper checks for single stacks live in their own files.

const CRDS = path.resolve(REPO_ROOT, "../shared/istio/crd-all.gen.yaml");
/** Namespaces an Istio cluster already has (istio-system) and the app namespaces the examples use. */
export const PREEXISTING_NAMESPACES = ["istio-system", "test-egress", "payments", "shop"];

export interface E2eContext {
    cluster: TestCluster;
    project: E2eProject;
}

const ctx: Partial<E2eContext> = {};

/** The shared cluster and project (set up once by the root hooks below). */
export function e2e(): E2eContext {
    if (!ctx.cluster || !ctx.project) {
        throw new Error("the e2e cluster did not start (see the before-all hook's error)");
    }
    return ctx as E2eContext;
}

before(async function () {
    this.timeout(10 * 60_000);
    ctx.cluster = await startCluster({ crdFile: CRDS });
    for (const name of PREEXISTING_NAMESPACES) {
        await ctx.cluster.client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
    ctx.project = await createProject(ctx.cluster.kubeconfigPath);
});

after(async function () {
    this.timeout(5 * 60_000);
    ctx.project?.cleanup();
    await ctx.cluster?.stop();
});

/** Runs `pulumi up` and fails with the engine's output if anything went wrong. */
export async function up(stack: Stack, log = new OperationLog()): Promise<OperationLog> {
    let output = "";
    try {
        await stack.up({ onEvent: log.onEvent, onOutput: (s) => { output += s; } });
    } catch (e) {
        throw new Error(`pulumi up of ${stack.name} failed:\n${output.slice(-6000)}\n${(e as Error).message.slice(-3000)}`);
    }
    return log;
}

/** `pulumi destroy`, then: none of the stack's objects is left in the API server. */
export async function destroyAndCheck(stack: Stack, objects: StateObject[]): Promise<void> {
    const e = e2e();
    await stack.destroy({});
    const left: string[] = [];
    for (const o of objects) {
        const live = await liveObject(e.cluster.client, o);
        if (live) {
            left.push(`${describeObject(o)}${live.metadata.deletionTimestamp ? " (terminating)" : ""}`);
        }
    }
    assert.deepEqual(left, [], "objects left in the API server after pulumi destroy");
}

/** Every object in the state is in the API server and holds every field Pulumi sent. */
export async function readBack(objects: StateObject[]): Promise<Map<string, KubeObject>> {
    const e = e2e();
    const live = new Map<string, KubeObject>();
    const problems: string[] = [];
    for (const o of objects) {
        const obj = await liveObject(e.cluster.client, o);
        if (!obj) {
            problems.push(`${describeObject(o)}: not in the API server`);
            continue;
        }
        live.set(describeObject(o), obj);
        const { metadata: _m, apiVersion: _a, kind: _k, ...sent } = o.inputs;
        problems.push(...notContained(sent, obj).map((p) => `${describeObject(o)}${p}`));
    }
    assert.deepEqual(problems, [], "objects in the API server differ from what Pulumi sent");
    return live;
}

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const BASE64 = /^[A-Za-z0-9+/=\s]{64,}$/;

/** True for a PEM private key, or one base64-encoded as in a Secret's data. */
function holdsPrivateKey(s: string): boolean {
    return PEM_PRIVATE_KEY.test(s) || (BASE64.test(s) && PEM_PRIVATE_KEY.test(Buffer.from(s, "base64").toString("latin1")));
}

/** Where in a checkpoint (or any JSON) a private key is, by resource URN and property path. */
export function privateKeyPaths(state: unknown, path = "$"): string[] {
    if (typeof state === "string") {
        return holdsPrivateKey(state) ? [path] : [];
    }
    if (Array.isArray(state)) {
        return state.flatMap((v, i) => privateKeyPaths(v, `${path}[${i}]`));
    }
    if (typeof state === "object" && state !== null) {
        const urn = (state as { urn?: unknown }).urn;
        const at = typeof urn === "string" ? urn : path;
        return Object.entries(state).flatMap(([k, v]) => privateKeyPaths(v, `${at}.${k}`));
    }
    return [];
}

/** The raw checkpoint files of the project's file backend. */
function checkpointFiles(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && d.name.endsWith(".json"))
        .map((d) => path.join(d.parentPath, d.name));
}

const EXAMPLE_STACKS = fs.readdirSync(path.join(REPO_ROOT, "stacks"))
    .map((f) => /^Pulumi\.(s\d\d-[a-z0-9-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

describe("e2e: every example stack, with the real engine against a real API server", function () {
    this.timeout(15 * 60_000);

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
                assert.deepEqual(log.diagnostics.filter((d) => d.startsWith("error")), []);
                objects = await stateObjects(stack);
                assert.ok(objects.length > 0, "the stack created no Kubernetes objects");
            });

            it("reads every object back from the API server with the spec Pulumi sent", async () => {
                live = await readBack(objects);
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
                    assert.deepEqual(privateKeyPaths(JSON.parse(fs.readFileSync(file, "utf8"))), [], `private keys in plain text in ${file}`);
                }
                // The check can fail: decrypted, the keys are there, and only inside secret values.
                const decrypted = privateKeyPaths(JSON.parse(await p.cli(["stack", "export", "--show-secrets", "--stack", name])));
                assert.deepEqual(decrypted.filter((at) => !at.endsWith(".plaintext")), [], "private keys outside secret values");
                if ("istio-egress:certificates" in exampleStackConfig(name)) {
                    assert.ok(decrypted.length > 0, "no private key found even decrypted: the check would not see one");
                }
            });

            it("istioctl analyze --use-kube=false reports no errors for the deployed objects", async () => {
                const r = await istioctlAnalyze([...live.values()]);
                assert.deepEqual(r.errors, [], r.output);
                assert.equal(r.exitCode, 0, r.output);
            });

            it("pulumi destroy leaves none of the stack's objects in the API server", async () => {
                destroyed = true;
                await destroyAndCheck(stack, objects);
            });
        });
    }
});
