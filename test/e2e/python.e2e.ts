import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { TYPE_TOKENS } from "../../api";
import { assertNoPlainPrivateKeys, assertOutputsMatch, deployAndCompare, deployReference, Reference } from "./support/otherLanguage";
import { REPO_ROOT, runPulumi } from "./support/pulumiProject";
import { createPythonProject, PythonProject } from "./support/pythonProject";
import { StateObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e } from "./support/suite";

// The package from another language (issue: multi-language): the repository served as a
// component provider, its schema from `pulumi package get-schema`, a Python SDK generated and
// linked by `pulumi package add`, and the Python example (examples/python) deployed with the
// real engine. Its objects must be the ones the TypeScript stack makes from the same input.

/** The same value with object keys in snake_case (allowedSources → allowed_sources). */
function snakeKeys(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(snakeKeys);
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(x)]));
    }
    return v;
}

describe("e2e: the package from Python, through its component provider", function () {
    this.timeout(20 * 60_000);
    let project: PythonProject;
    let pyStack: Stack | undefined;
    let pyDestroyed = false;
    let reference: Reference | undefined;
    let pyObjects: StateObject[] = [];

    before(async () => {
        project = await createPythonProject(e2e().cluster.kubeconfigPath);
    });

    after(async () => {
        if (pyStack && !pyDestroyed) {
            await pyStack.destroy({});
        }
        project?.cleanup();
    });

    it("pulumi package get-schema <repository> lists every component, with its docs", async () => {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "istio-egress-schema-"));
        try {
            const schema = JSON.parse(await runPulumi(project.pulumi, ["package", "get-schema", REPO_ROOT], scratch, project.env)) as {
                name: string;
                resources: Record<
                    string,
                    { description?: string; isComponent?: boolean; inputProperties?: Record<string, { description?: string }> }
                >;
            };
            assert.equal(schema.name, "istio-egress");
            assert.deepEqual(Object.keys(schema.resources).sort(), Object.values(TYPE_TOKENS).sort());
            for (const [token, r] of Object.entries(schema.resources)) {
                assert.equal(r.isComponent, true, token);
                assert.ok(r.description, `${token}: no description`);
                for (const [p, def] of Object.entries(r.inputProperties ?? {})) {
                    assert.ok(def.description, `${token}.${p}: no description`);
                }
            }
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    it("pulumi package add <repository> generates the Python SDK, links it into the program and installs it", async () => {
        await project.cli(["package", "add", REPO_ROOT]);
        const pulumiYaml = yaml.load(fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8")) as {
            packages?: Record<string, unknown>;
        };
        assert.ok(pulumiYaml.packages?.["istio-egress"], `Pulumi.yaml has no packages entry: ${JSON.stringify(pulumiYaml)}`);
        const sdk = path.join(project.dir, "sdks/istio-egress/pulumi_istio_egress");
        for (const file of ["__init__.py", "egress.py", "egress_gateway.py", "_inputs.py", "outputs.py"]) {
            assert.ok(fs.existsSync(path.join(sdk, file)), `the generated SDK has no ${file}`);
        }
        const requirements = fs
            .readFileSync(path.join(project.dir, "requirements.txt"), "utf8")
            .split("\n")
            .map((l) => l.trim());
        assert.ok(requirements.includes("./sdks/istio-egress"), requirements.join("\n"));
        // Installed into the program's virtualenv, with the pinned SDKs.
        const py = path.join(project.dir, "venv/bin/python");
        const versions = execFileSync(
            py,
            [
                "-c",
                "import importlib.metadata as m; print(m.version('pulumi'), m.version('pulumi_kubernetes'), m.version('pulumi_istio_egress'))",
            ],
            { encoding: "utf8" },
        );
        assert.equal(versions.trim(), "3.259.0 4.32.0 0.1.0");
    });

    it("the TypeScript stack deploys the same input (the reference)", async () => {
        reference = await deployReference("python-reference");
    });

    it("the Python program deploys for real: every object is in the API server as sent", async () => {
        pyStack = await project.stack("e2e", { "istio-egress-python:gatewayChart": path.join(REPO_ROOT, "charts/gateway") });
        assert.ok(reference, "the reference did not deploy");
        pyObjects = await deployAndCompare(pyStack, reference);
    });

    it("its outputs are the TypeScript stack's", async () => {
        assert.ok(pyStack && reference);
        // The Python SDK names the fields of nested output objects the Python way.
        await assertOutputsMatch(pyStack, reference, snakeKeys);
    });

    it("private keys cross the provider boundary as secrets: none in plain text in the state", async () => {
        await assertNoPlainPrivateKeys((args) => project.cli(args), "e2e");
    });

    it("pulumi destroy removes every object", async () => {
        assert.ok(pyStack);
        assert.ok(pyObjects.length > 0, "the Python stack's state lists no Kubernetes objects");
        await destroyAndCheck(pyStack, pyObjects);
        pyDestroyed = true;
    });

    it("a bad input fails the preview with its property path and reason, one line, no stack trace", async () => {
        // The components run in the provider: validation reaches Python as an InputPropertyError.
        fs.writeFileSync(
            path.join(project.dir, "example.py"),
            [
                "import pulumi_istio_egress as istio_egress",
                'istio_egress.Egress("egress", gateway={}, destinations=[{"host": "Edition.CNN.com", "allowed_sources": {"namespaces": ["shop"]}}])',
                "",
            ].join("\n"),
        );
        const bad = await project.stack("bad-input", {});
        const error = await bad.preview().then(
            () => undefined,
            (e: unknown) => e,
        );
        assert.ok(error, "the preview of a bad input succeeded");
        const text = String(error);
        console.log(
            `        ${text
                .split("\n")
                .filter((l) => l.includes("destinations[0]"))
                .slice(0, 3)
                .join("\n        ")}`,
        );
        assert.match(text, /destinations\[0\]\.host/, text);
        assert.match(text, /Edition\.CNN\.com/, text);
        assert.doesNotMatch(text, /\n\s+at .+\.js:\d+/, "no JavaScript stack trace");
        const objects = await stateObjects(bad);
        assert.deepEqual(objects, [], "nothing created");
    });
});
