import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./support/pulumiProject";
import { makeTempDir, removeTempDir } from "./support/processes";

// The package as an npm consumer gets it: packed from a clean clone (the pack builds it), installed
// into a scratch TypeScript project beside the Pulumi packages it names as peers, compiled with
// strict settings and skipLibCheck off, and run under mocks: an Egress registers its objects.

function run(cmd: string, args: string[], cwd: string): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(
            cmd,
            args,
            { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } },
            (err, stdout, stderr) => {
                if (err) {
                    reject(
                        new Error(`${cmd} ${args.join(" ")} (in ${cwd}): ${err.message}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`),
                    );
                } else {
                    resolve(stdout);
                }
            },
        );
    });
}

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Egress, EgressDestination, EgressMode } from "istio-egress";

const registered: string[] = [];
pulumi.runtime.setMocks({
    newResource: (args) => {
        const kind = (args.inputs as { kind?: string }).kind;
        registered.push(kind ? \`\${args.type} \${kind}\` : args.type);
        return { id: \`\${args.name}-id\`, state: args.inputs };
    },
    call: (args) => args.inputs,
}, "consumer", "test", false);

// The public names: a nested type, an enum object, and a mode as a plain string.
const cnn: EgressDestination = { name: "cnn", host: "edition.cnn.com", protocol: "TLS", egress: EgressMode.Gateway, allowedSources: { namespaces: ["shop"] } };
const egress = new Egress("egress", { gateway: {}, destinations: [cnn] });
egress.destinations.apply(async (d) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
    console.log(JSON.stringify({ destinations: d, registered }));
});
`;

describe("e2e: the npm package, packed and installed by a TypeScript consumer", function () {
    this.timeout(15 * 60_000);
    let dir: string | undefined;

    after(async () => {
        if (dir !== undefined) await removeTempDir(dir);
    });

    it("packs from a clean clone (building itself), compiles with skipLibCheck off, and registers an Egress's objects", async () => {
        dir = await makeTempDir("consumer");
        const clone = path.join(dir, "clone");
        await run("git", ["clone", "--quiet", "--depth", "1", `file://${REPO_ROOT}`, clone], dir);
        // The clone's build uses the repository's installed packages (no second npm ci).
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
        assert.ok(!fs.existsSync(path.join(clone, "bin")), "a clean clone has no build");
        const packed = JSON.parse(await run("npm", ["pack", "--json", "--pack-destination", dir], clone)) as {
            filename: string;
            files: { path: string }[];
        }[];
        const files = packed[0]!.files.map((f) => f.path);
        assert.ok(
            files.includes("bin/api.js") && files.includes("bin/api.d.ts"),
            `the tarball holds the built library: ${files.join(", ")}`,
        );
        assert.deepEqual(
            files.filter((f) => /^bin\/(test|bench|index)|^charts\//.test(f)),
            [],
            "no tests, benchmarks, stack program or test chart",
        );
        assert.ok(files.includes("LICENSE"));

        const consumer = path.join(dir, "consumer");
        fs.mkdirSync(consumer);
        const repoPackage = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
            devDependencies: Record<string, string>;
        };
        const pin = (name: string) => repoPackage.devDependencies[name] as string;
        fs.writeFileSync(
            path.join(consumer, "package.json"),
            JSON.stringify(
                {
                    name: "consumer",
                    private: true,
                    dependencies: {
                        "istio-egress": `file:${path.join(dir, packed[0]!.filename)}`,
                        "@pulumi/pulumi": pin("@pulumi/pulumi"),
                        "@pulumi/kubernetes": pin("@pulumi/kubernetes"),
                        "@pulumi/tls": pin("@pulumi/tls"),
                        typescript: pin("typescript"),
                        "@types/node": pin("@types/node"),
                    },
                },
                null,
                2,
            ),
        );
        fs.writeFileSync(
            path.join(consumer, "tsconfig.json"),
            JSON.stringify(
                {
                    compilerOptions: {
                        strict: true,
                        skipLibCheck: false,
                        target: "ES2022",
                        module: "commonjs",
                        moduleResolution: "node",
                        esModuleInterop: true,
                        outDir: "out",
                        types: ["node"],
                    },
                    files: ["index.ts"],
                },
                null,
                2,
            ),
        );
        fs.writeFileSync(path.join(consumer, "index.ts"), PROGRAM);
        await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], consumer);
        await run(path.join(consumer, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], consumer);
        const out = JSON.parse((await run("node", ["out/index.js"], consumer)).trim().split("\n").pop() as string) as {
            destinations: { name: string; allowedSources: string[] }[];
            registered: string[];
        };
        assert.deepEqual(
            out.destinations.map((d) => [d.name, d.allowedSources]),
            [["cnn", ["namespace shop"]]],
        );
        for (const expected of [
            "kubernetes:helm.sh/v4:Chart",
            "VirtualService",
            "ServiceEntry",
            "AuthorizationPolicy",
            "Gateway",
            "Telemetry",
        ]) {
            assert.ok(
                out.registered.some((r) => r.includes(expected)),
                `registered a ${expected}: ${out.registered.join(", ")}`,
            );
        }
    });
});
