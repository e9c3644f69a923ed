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

/** The TypeScript test program annotates every object with pulumi.com/skipAwait; the Go program only the chart's (gateway.skipAwait). */
function withoutSkipAwait(live: Map<string, KubeObject>): Map<string, KubeObject> {
    return new Map(
        [...live].map(([id, o]) => {
            const { "pulumi.com/skipAwait": _skip, ...annotations } = o.metadata.annotations ?? {};
            return [id, { ...o, metadata: { ...o.metadata, annotations: Object.keys(annotations).length > 0 ? annotations : undefined } }];
        }),
    );
}

describe("e2e: the package from Go, through a generated SDK", function () {
    this.timeout(20 * 60_000);
    let scratch: string;
    let dir: string;
    let env: Record<string, string>;
    let tsStack: Stack | undefined;
    let tsDestroyed = false;
    let tsLive = new Map<string, KubeObject>();
    let tsOutputs: Record<string, unknown> = {};
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
        if (tsStack && !tsDestroyed) {
            await tsStack.destroy({});
        }
        if (goStack && !goDestroyed) {
            await goStack.destroy({});
        }
        await removeTempDir(scratch);
    });

    it("the TypeScript stack deploys the same input (the reference)", async () => {
        tsStack = await e2e().project.stack("go-reference", SAME_INPUT_AS_STACK_CONFIG);
        await up(tsStack);
        tsLive = await readBack(await stateObjects(tsStack));
        tsOutputs = Object.fromEntries(Object.entries(await tsStack.outputs()).map(([k, v]) => [k, v.value]));
        await destroyAndCheck(tsStack, await stateObjects(tsStack));
        tsDestroyed = true;
        assert.ok(tsLive.size > 10, `the reference stack made ${tsLive.size} objects`);
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
        const log = await up(goStack);
        assert.deepEqual(
            log.diagnostics.filter((d) => d.startsWith("error")),
            [],
        );
        const types = [...log.ops.keys()].map((urn) => urn.split("::")[2]);
        assert.ok(
            types.some((t) => t.endsWith(TYPE_TOKENS.Egress)),
            types.join("\n"),
        );
        goObjects = await stateObjects(goStack);
        const goLive = await readBack(goObjects);
        assert.deepEqual(comparableSet(withoutSkipAwait(goLive)), comparableSet(withoutSkipAwait(tsLive)));
    });

    it("its outputs are the TypeScript stack's", async () => {
        assert.ok(goStack);
        const out = await goStack.outputs();
        assert.equal(out.gatewayServiceHost.value, tsOutputs.gatewayServiceHost);
        assert.deepEqual(out.credentialSecrets.value, tsOutputs.credentialSecrets);
        assert.deepEqual(out.destinations.value, tsOutputs.destinations);
        assert.match(String(out.caCertificatePem.value), /^-----BEGIN CERTIFICATE-----/);
    });

    it("private keys cross the provider boundary as secrets: none in plain text in the state", async () => {
        assert.ok(goStack);
        // Not Stack.exportStack(): the Automation API exports with --show-secrets.
        const pulumi = await toolchainPulumi();
        const exported = await runPulumi(pulumi, ["stack", "export", "--stack", "e2e"], dir, env);
        assert.deepEqual(privateKeyPaths(JSON.parse(exported)), []);
        const decrypted = await runPulumi(pulumi, ["stack", "export", "--stack", "e2e", "--show-secrets"], dir, env);
        assert.ok(privateKeyPaths(JSON.parse(decrypted)).length > 0, "no private key found even with --show-secrets");
    });

    it("pulumi destroy removes every object", async () => {
        assert.ok(goStack);
        assert.ok(goObjects.length > 0, "the Go stack's state lists no Kubernetes objects");
        await destroyAndCheck(goStack, goObjects);
        goDestroyed = true;
    });
});
