import { GatewayRef, gatewayTargetPort } from "../validation/gateway";
import { ResolvedDestination } from "../validation/destinations";
import { ResolvedSources, allowsAnyone } from "../validation/sources";
import { AuthorizationPolicySpec, AuthorizationRule, AuthorizationSource } from "./types";

// Pure builders: who may use which destination, enforced by the egress gateway on the identity
// of the caller's Istio mTLS certificate. ALLOW policies add up; the gateway's allow-nothing
// policy makes everything else (and a destination nobody is allowed) refused.

/** The shared policy that refuses whatever no destination's policy allows. */
export function allowNothingPolicySpec(gateway: GatewayRef): AuthorizationPolicySpec {
    return { selector: { matchLabels: gateway.selector }, action: "ALLOW" };
}

/** A policy's `from`: any workload with a mesh identity, or the namespaces and service accounts. */
export function policySources(s: ResolvedSources): { source: AuthorizationSource }[] {
    return allowsAnyone(s)
        ? [{ source: { principals: ["*"] } }]
        : [
              ...(s.namespaces.length > 0 ? [{ source: { namespaces: s.namespaces } }] : []),
              ...(s.serviceAccounts.length > 0 ? [{ source: { serviceAccounts: s.serviceAccounts } }] : []),
          ];
}

/**
 * One destination's ALLOW policy: its sources, to its gateway port, on its own server (the SNI
 * its sidecars send inside Istio mTLS, where the gateway has a server per destination) and, for
 * HTTP, its host. Undefined when nobody may use it.
 */
export function destinationPolicySpec(d: ResolvedDestination, gateway: GatewayRef, sni?: string): AuthorizationPolicySpec | undefined {
    const s = d.sources;
    if (!s || d.gatewayPort === undefined) {
        return undefined;
    }
    const from = policySources(s);
    const http = d.protocol === "HTTP";
    const rule: AuthorizationRule = {
        from,
        to: [
            {
                operation: {
                    ports: [String(gatewayTargetPort(gateway, d.gatewayPort))],
                    ...(http ? { hosts: [d.host, `${d.host}:${d.port}`] } : {}),
                },
            },
        ],
        ...(sni ? { when: [{ key: "connection.sni", values: [sni] }] } : {}),
    };
    return { selector: { matchLabels: gateway.selector }, action: "ALLOW", rules: [rule] };
}
