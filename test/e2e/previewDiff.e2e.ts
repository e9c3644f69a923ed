import { strict as assert } from "node:assert";
import { Stack } from "@pulumi/pulumi/automation";
import { exampleStackConfig, OperationLog, withLocalChart } from "./support/pulumiProject";
import { StateObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e, up } from "./support/suite";

// What a pull request's `pulumi preview --diff` shows when one destination is added to a
// deployed stack: the new destination's own objects (ServiceEntry, VirtualService, its
// AuthorizationPolicy) are created; the two objects every destination shares (the egress Gateway
// and the gateway's DestinationRule) are updated to list it; nothing else changes, nothing is
// replaced or deleted.

const STACK = "s02-http-gateway";
const NEW_DESTINATION = { name: "httpbin", host: "httpbin.org", protocol: "HTTP", allowedSources: { namespaces: ["shop"] } };

describe(`e2e: pulumi preview --diff after adding one destination (${STACK})`, function () {
    this.timeout(15 * 60_000);
    const config = withLocalChart(exampleStackConfig(STACK));
    let stack: Stack | undefined;
    let objects: StateObject[] = [];
    let log: OperationLog;
    let stdout = "";

    before(async () => {
        stack = await e2e().project.stack(STACK, config);
        await up(stack);
        objects = await stateObjects(stack);
        const destinations = [...(config["istio-egress:destinations"] as unknown[]), NEW_DESTINATION];
        await e2e().project.setConfig(stack, { ...config, "istio-egress:destinations": destinations });
        log = new OperationLog();
        stdout = (await stack.preview({ diff: true, onEvent: log.onEvent })).stdout;
    });

    after(async () => {
        if (stack) {
            await destroyAndCheck(stack, objects);
        }
    });

    const kubeChanges = (): [string, string[]][] =>
        [...log.changed()]
            .filter(([urn]) => urn.includes("$kubernetes:") || urn.includes("::kubernetes:"))
            .map(([urn, ops]): [string, string[]] => [urn.split("::").slice(-2).join("::").replace(/^.*\$/, ""), ops])
            .sort(([a], [b]) => a.localeCompare(b));

    it("creates exactly the new destination's ServiceEntry, VirtualService and AuthorizationPolicy", () => {
        const creates = kubeChanges()
            .filter(([, ops]) => ops.includes("create"))
            .map(([o]) => o);
        assert.deepEqual(creates, [
            "kubernetes:networking.istio.io/v1:ServiceEntry::egress-destinations-httpbin",
            "kubernetes:networking.istio.io/v1:VirtualService::egress-destinations-httpbin",
            "kubernetes:security.istio.io/v1:AuthorizationPolicy::egress-destinations-httpbin",
        ]);
    });

    it("updates only the shared Gateway and gateway DestinationRule, and replaces or deletes nothing", () => {
        const others = kubeChanges().filter(([, ops]) => !ops.includes("create"));
        assert.deepEqual(others, [
            ["kubernetes:networking.istio.io/v1:DestinationRule::egress-destinations-istio-egressgateway", ["update"]],
            ["kubernetes:networking.istio.io/v1:Gateway::egress-destinations-istio-egressgateway", ["update"]],
        ]);
        const all = [...log.changed().values()].flat();
        assert.deepEqual(
            all.filter((op) => op !== "create" && op !== "update"),
            [],
            "replace or delete in the preview",
        );
    });

    it("shows the new host and subset in the --diff text", () => {
        for (const kind of ["ServiceEntry", "VirtualService"]) {
            assert.match(
                stdout,
                new RegExp(
                    `\\+ kubernetes:networking\\.istio\\.io/v1:${kind}: \\(create\\)\\n\\s+\\[urn=[^\\]]*::egress-destinations-httpbin\\]`,
                ),
                `${kind} create`,
            );
        }
        assert.match(stdout, /~ kubernetes:networking\.istio\.io\/v1:Gateway: \(update\)/);
        assert.match(
            stdout,
            /~ kubernetes:networking\.istio\.io\/v1:Gateway: \(update\)[\s\S]*?"httpbin\.org"/,
            "the Gateway's new server",
        );
        assert.match(
            stdout,
            /~ kubernetes:networking\.istio\.io\/v1:DestinationRule: \(update\)[\s\S]*?"httpbin"/,
            "the gateway DestinationRule's new subset",
        );
    });
});
