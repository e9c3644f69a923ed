import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { TYPE_TOKENS } from "../../api";
import { comparableSet } from "./support/comparable";
import { SAME_INPUT_AS_STACK_CONFIG } from "./support/exampleInput";
import { KubeObject } from "./support/kubeClient";
import { makeTempDir, removeTempDir } from "./support/processes";
import { projectEnv, REPO_ROOT, runPulumi, toolchainPulumi } from "./support/pulumiProject";
import { StateObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e, privateKeyPaths, readBack, up } from "./support/suite";

// The package from Pulumi YAML: examples/yaml uses the components by type token through the
// repository's component provider, run by the toolchain's YAML language host (pulumi-yaml, built
// from the Go module proxy). Its objects and outputs must be the TypeScript stack's from the same input.

const YAML_EXAMPLE = path.join(REPO_ROOT, "examples/yaml");

/** The TypeScript test program annotates every object with pulumi.com/skipAwait; the YAML program only the chart's (gateway.skipAwait). */
function withoutSkipAwait(live: Map<string, KubeObject>): Map<string, KubeObject> {
    return new Map(
        [...live].map(([id, o]) => {
            const { "pulumi.com/skipAwait": _skip, ...annotations } = o.metadata.annotations ?? {};
            return [id, { ...o, metadata: { ...o.metadata, annotations: Object.keys(annotations).length > 0 ? annotations : undefined } }];
        }),
    );
}

describe("e2e: the package from Pulumi YAML, by type token", function () {
    this.timeout(20 * 60_000);
    let scratch: string;
    let dir: string;
    let env: Record<string, string>;
    let tsStack: Stack | undefined;
    let tsDestroyed = false;
    let tsLive = new Map<string, KubeObject>();
    let tsOutputs: Record<string, unknown> = {};
    let yamlStack: Stack | undefined;
    let yamlDestroyed = false;
    let yamlObjects: StateObject[] = [];

    before(async () => {
        scratch = await makeTempDir("yaml");
        dir = path.join(scratch, "program");
        fs.cpSync(YAML_EXAMPLE, dir, { recursive: true });
        // The copy names the provider by the repository's absolute path.
        const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump({ ...project, packages: { "istio-egress": REPO_ROOT } }));
        fs.mkdirSync(path.join(dir, ".state"));
        env = projectEnv(path.join(dir, ".state"), e2e().cluster.kubeconfigPath);
    });

    after(async () => {
        if (tsStack && !tsDestroyed) {
            await tsStack.destroy({});
        }
        if (yamlStack && !yamlDestroyed) {
            await yamlStack.destroy({});
        }
        await removeTempDir(scratch);
    });

    it("the TypeScript stack deploys the same input (the reference)", async () => {
        tsStack = await e2e().project.stack("yaml-reference", SAME_INPUT_AS_STACK_CONFIG);
        await up(tsStack);
        tsLive = await readBack(await stateObjects(tsStack));
        tsOutputs = Object.fromEntries(Object.entries(await tsStack.outputs()).map(([k, v]) => [k, v.value]));
        await destroyAndCheck(tsStack, await stateObjects(tsStack));
        tsDestroyed = true;
        assert.ok(tsLive.size > 10, `the reference stack made ${tsLive.size} objects`);
    });

    it("the YAML program deploys for real: every object is in the API server as sent, and they are the reference's", async () => {
        const pulumi = await toolchainPulumi();
        fs.writeFileSync(
            path.join(dir, "Pulumi.e2e.yaml"),
            yaml.dump({
                config: {
                    "istio-egress-yaml:gatewayChart": path.join(REPO_ROOT, "charts/gateway"),
                    "istio-egress-yaml:gatewaySkipAwait": true,
                },
            }),
        );
        const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand: pulumi, envVars: env });
        yamlStack = await Stack.createOrSelect("e2e", ws);
        const log = await up(yamlStack);
        assert.deepEqual(
            log.diagnostics.filter((d) => d.startsWith("error")),
            [],
        );
        const types = [...log.ops.keys()].map((urn) => urn.split("::")[2]);
        assert.ok(
            types.some((t) => t.endsWith(TYPE_TOKENS.Egress)),
            types.join("\n"),
        );
        yamlObjects = await stateObjects(yamlStack);
        const yamlLive = await readBack(yamlObjects);
        assert.deepEqual(comparableSet(withoutSkipAwait(yamlLive)), comparableSet(withoutSkipAwait(tsLive)));
    });

    it("its outputs are the TypeScript stack's", async () => {
        assert.ok(yamlStack);
        const out = await yamlStack.outputs();
        assert.equal(out.gatewayServiceHost.value, tsOutputs.gatewayServiceHost);
        assert.deepEqual(out.credentialSecrets.value, tsOutputs.credentialSecrets);
        assert.deepEqual(out.destinations.value, tsOutputs.destinations);
        assert.match(String(out.caCertificatePem.value), /^-----BEGIN CERTIFICATE-----/);
    });

    it("private keys cross the provider boundary as secrets: none in plain text in the state", async () => {
        assert.ok(yamlStack);
        // Not Stack.exportStack(): the Automation API exports with --show-secrets.
        const pulumi = await toolchainPulumi();
        const exported = await runPulumi(pulumi, ["stack", "export", "--stack", "e2e"], dir, env);
        assert.deepEqual(privateKeyPaths(JSON.parse(exported)), []);
        const decrypted = await runPulumi(pulumi, ["stack", "export", "--stack", "e2e", "--show-secrets"], dir, env);
        assert.ok(privateKeyPaths(JSON.parse(decrypted)).length > 0, "no private key found even with --show-secrets");
    });

    it("pulumi destroy removes every object", async () => {
        assert.ok(yamlStack);
        assert.ok(yamlObjects.length > 0, "the YAML stack's state lists no Kubernetes objects");
        await destroyAndCheck(yamlStack, yamlObjects);
        yamlDestroyed = true;
    });
});
