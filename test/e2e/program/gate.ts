import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

/**
 * For the fault tests: when ISTIO_EGRESS_E2E_GATE names a file path, every VirtualService's
 * registration waits until that file exists, after writing `<gate>.reached`. An `up` is then held
 * part-way (the chart, ServiceEntries and the rest created, the routes not) for as long as the
 * test needs to kill the engine or stop the API server: an interruption at a known point, not a race.
 */
export function registerGateTransform(): void {
    const gate = process.env.ISTIO_EGRESS_E2E_GATE;
    if (!gate) {
        return;
    }
    pulumi.runtime.registerResourceTransform(async (args) => {
        if (args.type !== "kubernetes:networking.istio.io/v1:VirtualService") {
            return undefined;
        }
        fs.writeFileSync(`${gate}.reached`, args.name);
        while (!fs.existsSync(gate)) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return undefined;
    });
}
