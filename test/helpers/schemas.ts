import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import * as yaml from "js-yaml";

/** `../shared` beside the repository (override with ISTIO_EGRESS_SHARED). */
export function sharedDir(): string {
    return process.env.ISTIO_EGRESS_SHARED ?? path.resolve(__dirname, "..", "..", "..", "..", "shared");
}

type Schema = Record<string, unknown>;

/**
 * CRD schemas are structural and let the API server prune unknown fields silently. For tests
 * we want a typo to fail, so every object schema that lists properties (and does not preserve
 * unknown fields) is closed with additionalProperties: false.
 */
function closeObjects(s: unknown): unknown {
    if (Array.isArray(s)) {
        return s.map(closeObjects);
    }
    if (s === null || typeof s !== "object") {
        return s;
    }
    const out: Schema = {};
    for (const [k, v] of Object.entries(s as Schema)) {
        if (k.startsWith("x-kubernetes-")) {
            continue;
        }
        out[k] =
            k === "properties" ? Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, closeObjects(ps)])) : closeObjects(v);
    }
    const src = s as Schema;
    if (src.type === "object" && src.properties && src.additionalProperties === undefined && !src["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    return out;
}

let crdValidators: Map<string, ValidateFunction> | undefined;

/**
 * Strict validators for Istio's CRDs and the Gateway API's standard channel (what the package
 * may write), by `apiVersion/kind` (e.g. `networking.istio.io/v1/Gateway`).
 */
export function istioValidators(): Map<string, ValidateFunction> {
    if (crdValidators) {
        return crdValidators;
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    crdValidators = new Map();
    const docs = [path.join(sharedDir(), "istio", "crd-all.gen.yaml"), path.join(sharedDir(), "gateway-api", "crds-standard.yaml")].flatMap(
        (file) => yaml.loadAll(fs.readFileSync(file, "utf8")) as Schema[],
    );
    for (const doc of docs) {
        if (!doc || doc.kind !== "CustomResourceDefinition") {
            continue;
        }
        const spec = doc.spec as {
            group: string;
            names: { kind: string };
            versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
        };
        for (const v of spec.versions) {
            const specSchema = (v.schema.openAPIV3Schema.properties as Schema).spec;
            crdValidators.set(`${spec.group}/${v.name}/${spec.names.kind}`, ajv.compile(closeObjects(specSchema) as Schema));
        }
    }
    return crdValidators;
}

/** Errors of an Istio object against its CRD schema (empty when valid). */
export function istioSchemaErrors(obj: { apiVersion: string; kind: string; spec?: unknown }): string[] {
    const validate = istioValidators().get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate) {
        return [`no CRD schema for ${obj.apiVersion}/${obj.kind}`];
    }
    return validate(obj.spec) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

let valuesValidator: ValidateFunction | undefined;

/** Errors of Helm values against the gateway chart's values.schema.json (empty when valid). */
export function gatewayValuesErrors(values: unknown): string[] {
    if (!valuesValidator) {
        const ajv = new Ajv({ strict: false, allErrors: true });
        const { $schema: _draft, ...schema } = JSON.parse(
            fs.readFileSync(path.join(sharedDir(), "istio", "gateway-values.schema.json"), "utf8"),
        ) as Schema;
        valuesValidator = ajv.compile(schema);
    }
    return valuesValidator(values)
        ? []
        : (valuesValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
