import { strict as assert } from "node:assert";
import { Stack } from "@pulumi/pulumi/automation";
import { TYPE_TOKENS } from "../../../api";
import { comparableSet, withoutSkipAwait } from "./comparable";
import { SAME_INPUT_AS_STACK_CONFIG } from "./exampleInput";
import { KubeObject } from "./kubeClient";
import { StateObject, stateObjects } from "./stackObjects";
import { destroyAndCheck, e2e, privateKeyPaths, readBack, up } from "./suite";

// The steps the other-language examples (Python, Go, YAML) share: the TypeScript reference
// deployed from the same input, the program's deploy compared with it, and its state's secrets.

/** What the TypeScript stack makes from the examples' input: live objects and outputs. */
export interface Reference {
    readonly live: Map<string, KubeObject>;
    readonly outputs: Record<string, unknown>;
}

/** Deploys the examples' input with the TypeScript stack program, reads it back, destroys it. */
export async function deployReference(stackName: string): Promise<Reference> {
    const stack = await e2e().project.stack(stackName, SAME_INPUT_AS_STACK_CONFIG);
    try {
        await up(stack);
        const objects = await stateObjects(stack);
        const live = await readBack(objects);
        const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]));
        await destroyAndCheck(stack, objects);
        assert.ok(live.size > 10, `the reference stack made ${live.size} objects`);
        return { live, outputs };
    } catch (e) {
        await stack.destroy({});
        throw e;
    }
}

/**
 * `pulumi up` of another language's program: no error, the components registered remotely (for
 * the provider), every object in the API server as sent and equal to the reference's. Returns
 * the program's objects, for its destroy.
 */
export async function deployAndCompare(stack: Stack, reference: Reference): Promise<StateObject[]> {
    const log = await up(stack);
    assert.deepEqual(
        log.diagnostics.filter((d) => d.startsWith("error")),
        [],
    );
    const types = [...log.ops.keys()].map((urn) => urn.split("::")[2]);
    assert.ok(
        types.some((t) => t.endsWith(TYPE_TOKENS.Egress)),
        types.join("\n"),
    );
    const objects = await stateObjects(stack);
    const live = await readBack(objects);
    assert.deepEqual(comparableSet(withoutSkipAwait(live)), comparableSet(withoutSkipAwait(reference.live)));
    return objects;
}

/**
 * No private key in plain text in the stack's state, though the decrypted state holds some (so
 * the check can fail). `cli` runs the Pulumi CLI in the program's project (not the Automation
 * API's exportStack, which exports with --show-secrets).
 */
export async function assertNoPlainPrivateKeys(cli: (args: string[]) => Promise<string>, stackName: string): Promise<void> {
    const exported = await cli(["stack", "export", "--stack", stackName]);
    assert.deepEqual(privateKeyPaths(JSON.parse(exported)), []);
    const decrypted = await cli(["stack", "export", "--stack", stackName, "--show-secrets"]);
    assert.ok(privateKeyPaths(JSON.parse(decrypted)).length > 0, "no private key found even with --show-secrets");
}

/**
 * The program's outputs are the reference's. `destinations` maps the reference's summaries to
 * the language's spelling of nested output fields (Python: snake_case).
 */
export async function assertOutputsMatch(
    stack: Stack,
    reference: Reference,
    destinations: (v: unknown) => unknown = (v) => v,
): Promise<void> {
    const out = await stack.outputs();
    assert.equal(out.gatewayServiceHost?.value, reference.outputs.gatewayServiceHost);
    assert.deepEqual(out.credentialSecrets?.value, reference.outputs.credentialSecrets);
    assert.deepEqual(out.destinations?.value, destinations(reference.outputs.destinations));
    assert.match(String(out.caCertificatePem?.value), /^-----BEGIN CERTIFICATE-----/);
}
