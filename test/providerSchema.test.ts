import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { TYPE_TOKENS } from "../api";

// The package as a component provider: the schema Pulumi infers from the TypeScript source, the
// way @pulumi/pulumi/cmd/run-plugin serves it (package.json "name" and "main", every exported
// ComponentResource). The e2e suite gets the same schema from the real CLI
// (`pulumi package get-schema`) and generates a Python SDK from it.

const ROOT = path.resolve(__dirname, "../..");

interface SchemaProperty { readonly description?: string; readonly $ref?: string; readonly type?: string }
interface SchemaObject {
    readonly description?: string;
    readonly isComponent?: boolean;
    readonly inputProperties?: Record<string, SchemaProperty>;
    readonly properties?: Record<string, SchemaProperty>;
    readonly requiredInputs?: string[];
}
interface PackageSchema {
    readonly name: string;
    readonly version: string;
    readonly resources: Record<string, SchemaObject>;
    readonly types: Record<string, SchemaObject>;
}

describe("component provider schema", function () {
    // Type-checking the whole package takes a few seconds on a slow machine.
    this.timeout(300_000);
    let schema: PackageSchema;
    const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string; main: string };

    before(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const components = getPulumiComponents(require(path.join(ROOT, packageJson.main)));
        const provider = new ComponentProvider({ name: packageJson.name, dirname: ROOT, components });
        schema = JSON.parse(await provider.getSchema()) as PackageSchema;
    });

    it("is served by the Node.js runtime under the package name of the type tokens", () => {
        const plugin = yaml.load(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")) as { runtime: unknown };
        assert.equal(plugin.runtime, "nodejs");
        assert.equal(schema.name, "istio-egress");
        assert.equal(schema.version, packageJson.version);
        for (const token of Object.values(TYPE_TOKENS)) {
            assert.equal(token.split(":")[0], packageJson.name, `${token}: run-plugin names the provider after package.json's name`);
        }
    });

    it("lists every public component, with its description", () => {
        assert.deepEqual(Object.keys(schema.resources).sort(), Object.values(TYPE_TOKENS).sort());
        for (const [token, resource] of Object.entries(schema.resources)) {
            assert.equal(resource.isComponent, true, token);
            assert.ok((resource.description ?? "").length > 20, `${token} has no description`);
        }
    });

    it("documents every input, output and nested field", () => {
        const undocumented: string[] = [];
        const check = (owner: string, props: Record<string, SchemaProperty> | undefined) => {
            for (const [name, p] of Object.entries(props ?? {})) {
                if (!p.description?.trim()) {
                    undocumented.push(`${owner}.${name}`);
                }
            }
        };
        for (const [token, r] of Object.entries(schema.resources)) {
            check(`${token} input`, r.inputProperties);
            check(`${token} output`, r.properties);
        }
        for (const [token, t] of Object.entries(schema.types)) {
            check(token, t.properties);
        }
        assert.deepEqual(undocumented, []);
    });

    it("types the Egress args the way the stack config has them", () => {
        const egress = schema.resources[TYPE_TOKENS.Egress];
        assert.deepEqual(Object.keys(egress.inputProperties ?? {}).sort(), [
            "certificates", "defaultAllowedSources", "destinations", "exportTo", "externalProxies", "forwardProxies", "gateway",
            "kubernetesServices", "namespace", "networkPolicies", "registryOnly", "sniProxy",
        ]);
        assert.equal(egress.inputProperties?.gateway.$ref, "#/types/istio-egress:index:EgressGatewayArgs");
        const destination = schema.types["istio-egress:index:EgressDestinationArgs"];
        assert.equal(destination.properties?.host.type, "string");
        assert.deepEqual(schema.resources[TYPE_TOKENS.EgressDestinations].requiredInputs, ["destinations"]);
        // Outputs a Python program reads back.
        assert.ok(egress.properties?.credentialSecrets && egress.properties?.serverCertificates && egress.properties?.gatewayServiceHost);
    });
});
