import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { exampleStackConfig, OperationLog, toolchainPulumi, withLocalChart } from "./support/pulumiProject";
import { startProcess } from "./support/processes";
import { describeObject, StateObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e, readBack, up } from "./support/suite";

// An `up` interrupted part-way converges when run again: nothing duplicated, nothing orphaned, no
// pending operation left behind, and a second preview shows no changes. The interruption point is
// fixed, not raced: the test program's gate (program/gate.ts) holds every VirtualService until the
// test has killed the engine or stopped the API server.

const STACK_CONFIG = "s06-gateway-mutual-origination";

/** The Istio kinds the package writes, to find objects the state does not know (orphans). */
const LABELLED_KINDS = [
    "/apis/networking.istio.io/v1/serviceentries",
    "/apis/networking.istio.io/v1/virtualservices",
    "/apis/networking.istio.io/v1/destinationrules",
    "/apis/networking.istio.io/v1/gateways",
    "/apis/security.istio.io/v1/authorizationpolicies",
    "/apis/telemetry.istio.io/v1/telemetries",
    "/api/v1/secrets",
];

async function waitForFile(file: string, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!fs.existsSync(file)) {
        if (Date.now() > end) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

describe("e2e: an interrupted pulumi up converges when run again", function () {
    this.timeout(20 * 60_000);

    /** Runs `pulumi up` in the background with the gate set; resolves once the gate holds it. */
    async function heldUp(stackName: string, gate: string) {
        const p = e2e().project;
        const pulumi = await toolchainPulumi();
        const proc = await startProcess(pulumi.command, ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stackName], {
            name: `pulumi-up-${stackName}`,
            cwd: p.dir,
            env: { ...process.env, ...p.env, ISTIO_EGRESS_E2E_GATE: gate },
            stopGraceMs: 0,
        });
        await waitForFile(`${gate}.reached`, 5 * 60_000, `the up of ${stackName} to reach its gate\n${proc.output()}`);
        return proc;
    }

    /** The convergence checks, after the second `up`. */
    async function assertConverged(stack: Stack): Promise<StateObject[]> {
        const exported = (await stack.exportStack()).deployment as { pending_operations?: unknown[] };
        assert.deepEqual(exported.pending_operations ?? [], [], "no pending operation left in the state");
        const objects = await stateObjects(stack);
        const ids = objects.map(describeObject);
        assert.equal(new Set(ids).size, ids.length, `no object twice in the state: ${ids.join(", ")}`);
        await readBack(objects);
        // Nothing the package labelled lives in the cluster without being in the state.
        const client = e2e().cluster.client;
        const known = new Set(ids);
        for (const list of LABELLED_KINDS) {
            // List items carry no kind: it comes from the list's path.
            const kind = kindOf(list.split("/").pop() as string);
            for (const o of await client.list(`${list}?labelSelector=app.kubernetes.io/part-of%3Distio-egress`)) {
                const id = describeObject({ kind, name: o.metadata.name, namespace: o.metadata.namespace });
                assert.ok(known.has(id), `orphan in the cluster: ${id}`);
            }
        }
        const log = new OperationLog();
        const r = await stack.preview({ onEvent: log.onEvent });
        assert.deepEqual([...log.changed()], [], "a second preview wants changes");
        assert.deepEqual(Object.keys(r.changeSummary), ["same"]);
        return objects;
    }

    it("the engine killed part-way: refresh (clearing pending creates), then up, converges", async () => {
        const name = "fault-engine-killed";
        const stack = await e2e().project.stack(name, withLocalChart(exampleStackConfig(STACK_CONFIG)));
        const gate = path.join(e2e().project.dir, `${name}.gate`);
        let objects: StateObject[] = [];
        try {
            const proc = await heldUp(name, gate);
            process.kill(-proc.pid, "SIGKILL");
            await proc.exited;
            // The kill happened part-way: the routes were never created.
            const before = await stateObjects(stack).catch(() => []);
            assert.ok(!before.some((o) => o.kind === "VirtualService"), "the engine was killed before the routes were created");
            // What an operator does after a crashed engine: release the file backend's lock, then
            // refresh (dropping creates the engine never confirmed) and run up again.
            await e2e().project.cli(["cancel", "--yes", "--stack", name]);
            await e2e().project.cli(["refresh", "--yes", "--clear-pending-creates", "--stack", name]);
            await up(stack);
            objects = await assertConverged(stack);
            assert.ok(
                objects.some((o) => o.kind === "VirtualService"),
                "the second up created the routes",
            );
        } finally {
            await destroyAndCheck(stack, objects.length > 0 ? objects : await stateObjects(stack).catch(() => []));
        }
    });

    it("the API server stopped and restarted part-way: up again converges", async () => {
        const name = "fault-apiserver-restarted";
        const stack = await e2e().project.stack(name, withLocalChart(exampleStackConfig(STACK_CONFIG)));
        const gate = path.join(e2e().project.dir, `${name}.gate`);
        const cluster = e2e().cluster;
        let objects: StateObject[] = [];
        try {
            const proc = await heldUp(name, gate);
            await cluster.stopApiServer();
            let restarted = false;
            try {
                fs.writeFileSync(gate, "open"); // the routes now meet a stopped API server
                const exit = await proc.exited;
                assert.notEqual(exit.code, 0, `the up succeeded without an API server:\n${proc.output().slice(-2000)}`);
            } finally {
                await cluster.startApiServer();
                restarted = true;
            }
            assert.ok(restarted);
            await up(stack);
            objects = await assertConverged(stack);
            assert.ok(
                objects.some((o) => o.kind === "VirtualService"),
                "the second up created the routes",
            );
        } finally {
            await destroyAndCheck(stack, objects.length > 0 ? objects : await stateObjects(stack).catch(() => []));
        }
    });
});

/** "virtualservices" → "VirtualService" (the kinds listed above). */
function kindOf(plural: string): string {
    const kinds: Record<string, string> = {
        serviceentries: "ServiceEntry",
        virtualservices: "VirtualService",
        destinationrules: "DestinationRule",
        gateways: "Gateway",
        authorizationpolicies: "AuthorizationPolicy",
        telemetries: "Telemetry",
        secrets: "Secret",
    };
    return kinds[plural] ?? plural;
}
