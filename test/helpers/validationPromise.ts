import * as assert from "node:assert/strict";
import { Egress, EgressArgs, validateEgressArgs, ValidationError } from "../../api";
import { resetRegistrations, settle } from "./mocks";
import { RenderedStack, renderedFrom } from "./stackProgram";
import { gatewayValuesErrors, istioSchemaErrors } from "./schemas";

// The validation promise, checked for one configuration: an accepted one is registered without
// error, duplicates or schema violations; a rejected one fails before anything is registered,
// with one bounded line that holds no PEM, and the component agrees with the validation.

export interface PromiseStats {
    generated: number;
    accepted: number;
    rejected: number;
    objects: number;
    invariants: number;
    /** nginx configs of accepted SNI proxies, for a caller that can run `nginx -t`. */
    readonly nginxConfigs: string[];
    /** Accepted configurations as the simulation suite reads them, for a caller that writes a sample. */
    readonly rendered: RenderedStack[];
}

export function newStats(): PromiseStats {
    return { generated: 0, accepted: 0, rejected: 0, objects: 0, invariants: 0, nginxConfigs: [], rendered: [] };
}

export async function checkValidationPromise(config: EgressArgs, stats: PromiseStats): Promise<void> {
    stats.generated++;
    resetRegistrations();
    let error: unknown;
    try {
        validateEgressArgs(config);
    } catch (e) {
        error = e;
    }
    const check = (ok: boolean, what: string) => {
        stats.invariants++;
        assert.ok(ok, `${what}\nconfig: ${JSON.stringify(config).slice(0, 2000)}`);
    };
    if (error !== undefined) {
        stats.rejected++;
        check(error instanceof ValidationError, `rejected with a ValidationError (got ${String(error)})`);
        const message = (error as Error).message;
        check(!message.includes("\n"), `one line: ${message}`);
        check(message.length <= 400, `bounded: ${message.length} characters`);
        check(!/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)|MIIEvQIBADAN/.test(message), `no key material: ${message}`);
        let componentError: unknown;
        try {
            new Egress("property", config);
        } catch (e) {
            componentError = e;
        }
        check(componentError !== undefined, "the component rejects what validation rejects");
        const registered = await settle();
        check(
            registered.every((r) => r.type.startsWith("istio-egress:index:")),
            `nothing registered below the component: ${registered.map((r) => r.type).join(", ")}`,
        );
        return;
    }
    stats.accepted++;
    new Egress("property", config);
    // settle() fails on a duplicate resource name or object identity.
    const registered = await settle();
    stats.rendered.push(renderedFrom(`generated-${stats.accepted}`, registered));
    for (const r of registered) {
        const m = r.inputs as { apiVersion?: string; kind?: string; data?: Record<string, string> };
        if (/^[a-z]+\.istio\.io\//.test(m.apiVersion ?? "")) {
            stats.objects++;
            const errors = istioSchemaErrors(m as { apiVersion: string; kind: string });
            check(errors.length === 0, `${m.kind} ${r.name} matches its CRD schema: ${errors.join("; ")}`);
        } else if (r.custom && m.kind) {
            stats.objects++;
        }
        if (r.type === "kubernetes:helm.sh/v4:Chart") {
            const errors = gatewayValuesErrors(r.inputs.values);
            check(errors.length === 0, `chart values match the chart's schema: ${errors.join("; ")}`);
        }
        if (m.kind === "ConfigMap" && m.data?.["nginx.conf"]) {
            stats.nginxConfigs.push(m.data["nginx.conf"]);
        }
    }
}
