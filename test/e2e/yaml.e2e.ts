import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { assertNoPlainPrivateKeys, assertOutputsMatch, deployAndCompare, deployReference, Reference } from "./support/otherLanguage";
import { makeTempDir, removeTempDir } from "./support/processes";
import { projectEnv, REPO_ROOT, runPulumi, toolchainPulumi } from "./support/pulumiProject";
import { StateObject } from "./support/stackObjects";
import { destroyAndCheck, e2e } from "./support/suite";

// The package from Pulumi YAML: examples/yaml uses the components by type token through the
// repository's component provider, run by the toolchain's YAML language host (pulumi-yaml, built
// from the Go module proxy). Its objects and outputs must be the TypeScript stack's from the same input.

const YAML_EXAMPLE = path.join(REPO_ROOT, "examples/yaml");

describe("e2e: the package from Pulumi YAML, by type token", function () {
    this.timeout(20 * 60_000);
    let scratch: string;
    let dir: string;
    let env: Record<string, string>;
    let reference: Reference | undefined;
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
        if (yamlStack && !yamlDestroyed) {
            await yamlStack.destroy({});
        }
        await removeTempDir(scratch);
    });

    it("the TypeScript stack deploys the same input (the reference)", async () => {
        reference = await deployReference("yaml-reference");
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
        assert.ok(reference, "the reference did not deploy");
        yamlObjects = await deployAndCompare(yamlStack, reference);
    });

    it("its outputs are the TypeScript stack's", async () => {
        assert.ok(yamlStack && reference);
        await assertOutputsMatch(yamlStack, reference);
    });

    it("private keys cross the provider boundary as secrets: none in plain text in the state", async () => {
        const pulumi = await toolchainPulumi();
        await assertNoPlainPrivateKeys((args) => runPulumi(pulumi, args, dir, env), "e2e");
    });

    it("pulumi destroy removes every object", async () => {
        assert.ok(yamlStack);
        assert.ok(yamlObjects.length > 0, "the YAML stack's state lists no Kubernetes objects");
        await destroyAndCheck(yamlStack, yamlObjects);
        yamlDestroyed = true;
    });
});
