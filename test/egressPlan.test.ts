import * as assert from "node:assert/strict";
import * as path from "node:path";
import { resetRegistrations, settle } from "./helpers/mocks";
import { loadStackConfig, STACKS_DIR } from "./helpers/stackProgram";
import { Egress, EgressArgs, EgressGateway, validateEgressArgs } from "../api";
import * as format from "../validation/format";

// Egress validates once: its plan (validateEgressArgs) parses every part, and the children it
// creates take their planned args without parsing them again. Counted at the one parse function
// every schema check goes through.

function argsOf(stack: string): EgressArgs {
    const config = loadStackConfig(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`));
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^istio-egress:/, ""), v])) as EgressArgs;
}

/** How many schema parses `f` makes. */
function parsesIn(f: () => void): number {
    const original = format.parseOrThrow;
    let count = 0;
    (format as { parseOrThrow: typeof original }).parseOrThrow = ((...a: Parameters<typeof original>) => {
        count += 1;
        return original(...a);
    }) as typeof original;
    try {
        f();
    } finally {
        (format as { parseOrThrow: typeof original }).parseOrThrow = original;
    }
    return count;
}

describe("Egress validates once", () => {
    beforeEach(resetRegistrations);

    for (const stack of ["s06-gateway-mutual-origination", "s10-sni-proxy", "s14-network-policies", "s15-registry-only"]) {
        it(`${stack}: the plan parses the args; the Egress and its children parse nothing more`, async () => {
            const args = argsOf(stack);
            const planning = parsesIn(() => validateEgressArgs(args));
            assert.ok(planning > 0, "the plan validates");
            assert.equal(validateEgressArgs(args), validateEgressArgs(args), "one plan per args object");
            assert.equal(
                parsesIn(() => new Egress("egress", args)),
                0,
            );
            assert.ok(
                (await settle()).some((r) => r.custom),
                "and the children registered their objects",
            );
        });
    }

    it("an Egress alone parses only in its plan (as many parses as planning takes)", async () => {
        const planning = parsesIn(() => validateEgressArgs(argsOf("s06-gateway-mutual-origination")));
        assert.equal(
            parsesIn(() => new Egress("fresh", argsOf("s06-gateway-mutual-origination"))),
            planning,
        );
        await settle();
    });

    it("a component on its own validates its args (negative control: the counter sees parses)", async () => {
        assert.ok(parsesIn(() => new EgressGateway("gw", {})) >= 1);
        await settle();
    });
});
