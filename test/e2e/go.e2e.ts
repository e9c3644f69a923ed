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

// The package from Go: `pulumi package add` generates a Go SDK from the package's schema (the
// toolchain's Go language host, with the CLI's Go code generator) and links it into
// examples/go's go.mod; the program builds against github.com/pulumi/pulumi/sdk/v3 from the
// module proxy. Its objects and outputs must be the TypeScript stack's from the same input.

const GO_EXAMPLE = path.join(REPO_ROOT, "examples/go");

/** The go command with the toolchain's module and build caches (the SDK's packages are built there already). */
function goEnv(): Record<string, string> {
    const toolchain = process.env.ISTIO_EGRESS_TOOLCHAIN ?? "";
    return {
        GOMODCACHE: path.join(toolchain, "gomodcache"),
        GOCACHE: path.join(toolchain, "gocache"),
        GOFLAGS: "-mod=mod -trimpath -buildvcs=false",
        GOTOOLCHAIN: "local",
        CGO_ENABLED: "0",
    };
}

describe("e2e: the package from Go, through a generated SDK", function () {
    this.timeout(20 * 60_000);
    let scratch: string;
    let dir: string;
    let env: Record<string, string>;
    let reference: Reference | undefined;
    let goStack: Stack | undefined;
    let goDestroyed = false;
    let goObjects: StateObject[] = [];

    before(async () => {
        scratch = await makeTempDir("go");
        dir = path.join(scratch, "program");
        fs.cpSync(GO_EXAMPLE, dir, {
            recursive: true,
            filter: (f) => !/[/\\](sdks|go\.sum)$|Pulumi\.[^/]+\.yaml$/.test(f) || f.endsWith("/Pulumi.yaml"),
        });
        fs.mkdirSync(path.join(dir, ".state"));
        env = { ...projectEnv(path.join(dir, ".state"), e2e().cluster.kubeconfigPath), ...goEnv() };
    });

    after(async () => {
        if (goStack && !goDestroyed) {
            await goStack.destroy({});
        }
        await removeTempDir(scratch);
    });

    it("the TypeScript stack deploys the same input (the reference)", async () => {
        reference = await deployReference("go-reference");
    });

    it("pulumi package add <repository> generates the Go SDK and links it into the program's go.mod", async () => {
        const pulumi = await toolchainPulumi();
        const out = await runPulumi(pulumi, ["package", "add", REPO_ROOT], dir, env);
        assert.match(out, /import istioegress "example\.com\/pulumi-istio-egress\/sdk\/go\/istioegress"/);
        const goMod = fs.readFileSync(path.join(dir, "go.mod"), "utf8");
        assert.match(goMod, /replace example\.com\/pulumi-istio-egress\/sdk\/go => \.\/sdks\/istio-egress/);
        assert.ok(fs.existsSync(path.join(dir, "sdks/istio-egress/istioegress/egress.go")));
        const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { packages?: Record<string, string> };
        assert.equal(project.packages?.["istio-egress"], REPO_ROOT);
    });

    it("the Go program builds and deploys for real: every object is in the API server as sent, and they are the reference's", async () => {
        const pulumi = await toolchainPulumi();
        fs.writeFileSync(
            path.join(dir, "Pulumi.e2e.yaml"),
            yaml.dump({
                config: {
                    "istio-egress-go:gatewayChart": path.join(REPO_ROOT, "charts/gateway"),
                    "istio-egress-go:gatewaySkipAwait": "true",
                },
            }),
        );
        const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand: pulumi, envVars: env });
        goStack = await Stack.createOrSelect("e2e", ws);
        assert.ok(reference, "the reference did not deploy");
        goObjects = await deployAndCompare(goStack, reference);
    });

    it("its outputs are the TypeScript stack's", async () => {
        assert.ok(goStack && reference);
        await assertOutputsMatch(goStack, reference);
    });

    it("private keys cross the provider boundary as secrets: none in plain text in the state", async () => {
        const pulumi = await toolchainPulumi();
        await assertNoPlainPrivateKeys((args) => runPulumi(pulumi, args, dir, env), "e2e");
    });

    it("pulumi destroy removes every object", async () => {
        assert.ok(goStack);
        assert.ok(goObjects.length > 0, "the Go stack's state lists no Kubernetes objects");
        await destroyAndCheck(goStack, goObjects);
        goDestroyed = true;
    });
});
