import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { gatewayValuesErrors, sharedDir } from "./helpers/schemas";
import { ISTIO_GATEWAY_CHART_VERSION } from "../api";

// charts/gateway is the local stand-in for Istio's gateway chart that the e2e tests install.
// Rendering it needs helm (the e2e toolchain); these checks are the static part: it must keep
// the official chart's values interface, so values accepted here are accepted there.

const CHART = path.resolve(__dirname, "..", "..", "charts", "gateway");
const chartFile = (name: string): string => fs.readFileSync(path.join(CHART, name), "utf8");
const sharedFile = (name: string): string => fs.readFileSync(path.join(sharedDir(), "istio", name), "utf8");

describe("local gateway chart (charts/gateway)", () => {
    it("carries Istio 1.30.3's values.schema.json byte for byte, at the version the package installs", () => {
        assert.equal(chartFile("values.schema.json"), sharedFile("gateway-values.schema.json"));
        const chart = yaml.load(chartFile("Chart.yaml")) as { name: string; version: string };
        assert.equal(chart.name, "gateway");
        assert.equal(chart.version, ISTIO_GATEWAY_CHART_VERSION);
    });

    it("has the official chart's default values, and they validate against the schema", () => {
        const values = yaml.load(chartFile("values.yaml")) as { _internal_defaults_do_not_set: Record<string, unknown> };
        assert.deepEqual(values, yaml.load(sharedFile("gateway-values.yaml")));
        assert.deepEqual(gatewayValuesErrors(values), []);
        // The chart merges these defaults into .Values (templates/zzz_profile.yaml): they must be valid values too.
        assert.deepEqual(gatewayValuesErrors(values._internal_defaults_do_not_set), []);
    });

    it("reads only top-level values the schema declares", () => {
        const schema = JSON.parse(chartFile("values.schema.json")) as { $defs: { values: { properties: Record<string, unknown> } } };
        const declared = new Set(Object.keys(schema.$defs.values.properties));
        const templates = fs.readdirSync(path.join(CHART, "templates"));
        const read = new Set(
            templates.flatMap((t) =>
                [...chartFile(path.join("templates", t)).matchAll(/\.Values\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!),
            ),
        );
        assert.ok(read.has("service") && read.has("podDisruptionBudget"), "templates were scanned");
        read.delete("defaults"); // zzz_profile.yaml rejects it, as Istio's charts do
        assert.deepEqual(
            [...read].filter((k) => !declared.has(k)),
            [],
        );
    });
});
