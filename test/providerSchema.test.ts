import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { z } from "zod";
import { TYPE_TOKENS } from "../api";
import { egressGatewayArgsSchema } from "../components/egressGateway";
import { sniProxyArgsSchema } from "../components/sniProxy";
import { kubernetesEgressServiceArgsSchema } from "../components/kubernetesEgressService";
import { externalHttpsProxyArgsSchema } from "../components/externalHttpsProxy";
import { forwardProxyRoutingArgsSchema } from "../components/forwardProxyRouting";
import { egressNetworkPoliciesArgsSchema } from "../components/egressNetworkPolicies";
import { registryOnlyOutboundArgsSchema } from "../components/registryOnlyOutbound";
import { egressCertificatesArgsSchema } from "../components/egressCertificates";
import { leafCertificateArgsSchema } from "../certs/leafCertificate";
import { resolvedDestinationsSchema } from "../validation/destinations";

// The package as a component provider: the schema Pulumi infers from the TypeScript source, the
// way @pulumi/pulumi/cmd/run-plugin serves it (package.json "name" and "main", every exported
// ComponentResource). The e2e suite gets the same schema from the real CLI
// (`pulumi package get-schema`) and generates a Python SDK from it.

const ROOT = path.resolve(__dirname, "../..");

interface SchemaProperty {
    readonly description?: string;
    readonly $ref?: string;
    readonly type?: string;
    readonly items?: SchemaProperty;
}
interface SchemaObject {
    readonly description?: string;
    readonly type?: string;
    readonly enum?: { readonly name?: string; readonly value: unknown; readonly description?: string }[];
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
    const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        name: string;
        version: string;
        main: string;
    };

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
            "certificates",
            "defaultAllowedSources",
            "destinations",
            "exportTo",
            "externalProxies",
            "forwardProxies",
            "gateway",
            "kubernetesServices",
            "namespace",
            "networkPolicies",
            "registryOnly",
            "sniProxy",
        ]);
        assert.equal(egress.inputProperties?.gateway.$ref, "#/types/istio-egress:index:EgressGatewayOptions");
        const destination = schema.types["istio-egress:index:EgressDestination"];
        assert.equal(destination.properties?.host.type, "string");
        assert.deepEqual(schema.resources[TYPE_TOKENS.EgressDestinations].requiredInputs, ["destinations"]);
        // Outputs a Python program reads back.
        assert.ok(egress.properties?.credentialSecrets && egress.properties?.serverCertificates && egress.properties?.gatewayServiceHost);
    });

    it("names nested types without the Args suffix (other languages add their own)", () => {
        const tokens = Object.keys(schema.types);
        assert.ok(tokens.length > 30, `${tokens.length} types`);
        assert.deepEqual(
            tokens.filter((t) => /Args$/.test(t)),
            [],
        );
        // A nested type named like a component would clash with its class in generated SDKs.
        assert.deepEqual(
            tokens.filter((t) => t in schema.resources),
            [],
        );
    });

    it("types every mode as an enum, each value documented", () => {
        const enumOf = (ref: string | undefined) => schema.types[(ref ?? "").replace("#/types/", "")];
        const modes: [string, string, string[]][] = [
            ["EgressDestination", "protocol", ["HTTP", "TLS"]],
            ["EgressDestination", "egress", ["GATEWAY", "DIRECT"]],
            ["EgressDestination", "resolution", ["DNS", "DNS_ROUND_ROBIN", "NONE"]],
            ["TlsOrigination", "mode", ["SIMPLE", "MUTUAL"]],
            ["GatewayPort", "protocol", ["HTTP", "TLS"]],
            ["Toleration", "operator", ["Exists", "Equal"]],
            ["Toleration", "effect", ["NoSchedule", "PreferNoSchedule", "NoExecute"]],
            ["KubernetesEgressServiceOptions", "endpointsApi", ["EndpointSlice", "Endpoints"]],
            ["KubernetesEgressServiceOptions", "tlsMode", ["DISABLE", "SIMPLE"]],
            ["CertificateSubject", "keyAlgorithm", ["ECDSA_P256", "RSA_2048", "RSA_4096"]],
            ["CertificateAuthorityOptions", "keyAlgorithm", ["ECDSA_P256", "RSA_2048", "RSA_4096"]],
        ];
        for (const [type, field, values] of modes) {
            const e = enumOf(schema.types[`istio-egress:index:${type}`]?.properties?.[field]?.$ref);
            assert.ok(e?.enum, `${type}.${field} is an enum`);
            assert.deepEqual(e.enum.map((v) => v.value).sort(), [...values].sort(), `${type}.${field}`);
            assert.ok(
                e.enum.every((v) => (v.description ?? "").length > 0 || type === "Toleration"),
                `${type}.${field}: every value documented`,
            );
            assert.equal(e.type, "string");
        }
        const usage = enumOf(schema.resources[TYPE_TOKENS.LeafCertificate].inputProperties?.usage.$ref);
        assert.deepEqual(usage?.enum?.map((v) => v.value).sort(), ["CLIENT", "SERVER"]);
        // No mode is left a bare string: every "X" or "Y" choice in a description is an enum.
        const bare = Object.entries(schema.types).flatMap(([t, o]) =>
            Object.entries(o.properties ?? {})
                .filter(([, p]) => p.type === "string" && /^"[A-Z_a-z]+" or "[A-Z_a-z]+"/.test(p.description ?? ""))
                .map(([f]) => `${t}.${f}`),
        );
        assert.deepEqual(bare, []);
    });

    it("writes every default into the description text (the schema drops JSDoc tags)", () => {
        const all = [...Object.values(schema.resources), ...Object.values(schema.types)].flatMap((o) => [
            ...Object.entries(o.inputProperties ?? {}),
            ...Object.entries(o.properties ?? {}),
        ]);
        assert.deepEqual(
            all.filter(([, p]) => /@default/.test(p.description ?? "")).map(([n]) => n),
            [],
        );
        // Every field a component's schema fills in when left out says what it becomes.
        const components: [string, z.ZodObject][] = [
            [TYPE_TOKENS.EgressGateway, egressGatewayArgsSchema],
            [TYPE_TOKENS.SniProxy, sniProxyArgsSchema],
            [TYPE_TOKENS.KubernetesEgressService, kubernetesEgressServiceArgsSchema],
            [TYPE_TOKENS.ExternalHttpsProxy, externalHttpsProxyArgsSchema],
            [TYPE_TOKENS.ForwardProxyRouting, forwardProxyRoutingArgsSchema],
            [TYPE_TOKENS.EgressNetworkPolicies, egressNetworkPoliciesArgsSchema],
            [TYPE_TOKENS.RegistryOnlyOutbound, registryOnlyOutboundArgsSchema],
            [TYPE_TOKENS.EgressCertificates, egressCertificatesArgsSchema],
            [TYPE_TOKENS.LeafCertificate, leafCertificateArgsSchema],
            [TYPE_TOKENS.EgressDestinations, resolvedDestinationsSchema.in as unknown as z.ZodObject],
        ];
        const missing: string[] = [];
        for (const [token, zod] of components) {
            for (const [field, fieldSchema] of Object.entries(zod.shape)) {
                const described = schema.resources[token].inputProperties?.[field]?.description ?? "";
                if (fieldSchema instanceof z.ZodDefault && !/Default: /.test(described)) {
                    missing.push(`${token}.${field}`);
                }
            }
        }
        assert.deepEqual(missing, []);
        assert.match(schema.resources[TYPE_TOKENS.EgressGateway].inputProperties?.replicas.description ?? "", /Default: 2\./);
        assert.match(
            schema.types["istio-egress:index:EgressDestination"].properties?.createServiceEntry.description ?? "",
            /Default: true\./,
        );
    });

    it("keeps internal scenario codes and jargon out of the public docs", () => {
        const texts = [...Object.entries(schema.resources), ...Object.entries(schema.types)].flatMap(([t, o]) => [
            [t, o.description ?? ""],
            ...[...Object.entries(o.inputProperties ?? {}), ...Object.entries(o.properties ?? {})].map(([n, p]) => [
                `${t}.${n}`,
                p.description ?? "",
            ]),
            ...(o.enum ?? []).map((v) => [`${t}.${String(v.value)}`, v.description ?? ""]),
        ]);
        const leaks = texts.filter(
            ([, d]) =>
                /\bS\d{1,2}\b|\bseeds?\b|[A-Z][A-Z_]{3,}_[A-Z]+\b(?! \()/.test(d) &&
                !/(DNS_ROUND_ROBIN|GATEWAY_API|ISTIO_MUTUAL|ECDSA_P256|RSA_2048|RSA_4096|REGISTRY_ONLY|ALLOW_ANY|MESH_EXTERNAL)/.test(d),
        );
        assert.deepEqual(leaks, []);
    });
});
