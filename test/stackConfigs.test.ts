import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { resetRegistrations, settle, unwrap } from "./helpers/mocks";
import { loadStackConfig, runProgram, STACKS_DIR } from "./helpers/stackProgram";
import { gatewayValuesErrors, istioSchemaErrors } from "./helpers/schemas";

describe("example stack configs run through the stack program (index.ts)", () => {
    const files = fs
        .readdirSync(STACKS_DIR)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .sort();

    it("ships an example stack for every scenario", () => {
        const scenarios = files.map((f) => f.match(/^Pulumi\.s(\d+)-/)?.[1]).filter(Boolean);
        for (const s of ["01", "02", "03", "04", "09", "10", "11", "12", "13", "14", "15"]) {
            assert.ok(scenarios.includes(s), `a stack for S${Number(s)}`);
        }
    });

    for (const file of files) {
        it(`${file}: valid objects, valid chart values, useful outputs`, async () => {
            resetRegistrations();
            loadStackConfig(path.join(STACKS_DIR, file));
            const exports = runProgram();
            const all = await settle();
            const custom = all.filter((r) => r.custom);
            assert.ok(custom.length > 0 || all.some((r) => r.type === "kubernetes:helm.sh/v4:Chart"), "creates Kubernetes objects");
            for (const r of custom) {
                const m = r.inputs as { apiVersion?: string; kind?: string; spec?: unknown };
                if (/^([a-z]+\.istio\.io|gateway\.networking\.k8s\.io)\//.test(m.apiVersion ?? "")) {
                    assert.deepEqual(istioSchemaErrors(m as { apiVersion: string; kind: string }), [], `${r.name} matches its CRD schema`);
                }
            }
            for (const chart of all.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")) {
                assert.deepEqual(gatewayValuesErrors(chart.inputs.values), [], `${chart.name} values match the chart schema`);
                assert.ok(await unwrap(exports.gatewayServiceHost as pulumi.Output<string>));
            }
            const gateway = all.find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway");
            if (gateway) {
                // istiod names a gateway's Service <name>-istio, a waypoint's <name>.
                const waypoint = (gateway.inputs.spec as { gatewayClassName: string }).gatewayClassName === "istio-waypoint";
                const host = (await unwrap(exports.gatewayServiceHost as pulumi.Output<string>)) ?? "";
                assert.match(host, waypoint ? /^[a-z0-9-]+\.[a-z0-9-]+\.svc\./ : /^[a-z0-9-]+-istio\./);
                assert.ok(host.startsWith(`${(gateway.inputs.metadata as { name: string }).name}${waypoint ? "." : "-istio."}`), host);
            }
            const summary = (await unwrap(exports.destinations as pulumi.Output<{ objects: string[] }[]>)) ?? [];
            for (const d of summary) {
                // Gateway API: two routes instead of a VirtualService, one more for origination.
                assert.ok(d.objects.length >= 1 && d.objects.length <= 5, "at most 5 objects of its own per destination");
            }
        });
    }

    it("a bad stack config fails with one line naming the config key, field and value, and registers nothing", async () => {
        resetRegistrations();
        pulumi.runtime.setAllConfig({
            "istio-egress:gateway": "{}",
            "istio-egress:destinations": JSON.stringify([{ host: "edition.cnn.com" }, { host: "*.foo.com", protocol: "TLS" }]),
        });
        assert.throws(runProgram, (e: Error) => {
            assert.equal(
                e.message,
                'invalid stack config: istio-egress:destinations[1].host: "*.foo.com" through the egress gateway needs servingHost (one host serves them all) or sniProxy (arbitrary hosts): the gateway cannot route a wildcard by itself',
            );
            return true;
        });
        assert.deepEqual(await settle(), []);
    });
});
