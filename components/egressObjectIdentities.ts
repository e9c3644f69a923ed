import { planDestinations } from "../istio/destinationObjects";
import { sniProxyObjects } from "../proxy/sniProxyObjects";
import { ValidationError } from "../validation/format";
import type { ResolvedDestinations } from "../validation/destinations";
import type { ValidEgressGatewayArgs } from "./egressGateway";
import { externalHttpsProxyArgsSchema, externalHttpsProxyServiceEntry } from "./externalHttpsProxy";
import { forwardProxyObjects, forwardProxyRoutingArgsSchema } from "./forwardProxyRouting";
import { kubernetesEgressServiceArgsSchema, kubernetesEgressServiceObjects } from "./kubernetesEgressService";
import { sniProxyArgsSchema } from "./sniProxy";
import type { z } from "zod";

// Every Kubernetes object a whole Egress setup will write, by kind/namespace/name and by the
// config entry that makes it: two entries that would write one object (a destination named like
// the gateway, a Service and a forward proxy's derived Service, the same entry twice...) fail
// validation together, before anything is registered, instead of fighting in the cluster.

/** What validateEgressArgs has decided, and the validated entries of the lists. */
export interface EgressObjectSources {
    readonly gateway?: ValidEgressGatewayArgs;
    readonly destinations?: ResolvedDestinations;
    readonly sniProxy?: z.output<typeof sniProxyArgsSchema>;
    readonly kubernetesServices: z.output<typeof kubernetesEgressServiceArgsSchema>[];
    readonly externalProxies: z.output<typeof externalHttpsProxyArgsSchema>[];
    readonly forwardProxies: z.output<typeof forwardProxyRoutingArgsSchema>[];
    readonly networkPolicies?: { namespaces: string[]; policyName?: string };
    readonly registryOnly?: { namespaces: string[]; sidecarName?: string };
    readonly credentialNames: string[];
}

interface Made {
    readonly id: string;
    readonly from: string;
}

const id = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** The gateway chart's objects (the official chart names them all after the release). */
const CHART_KINDS = ["Deployment", "Service", "ServiceAccount", "Role", "RoleBinding", "PodDisruptionBudget", "HorizontalPodAutoscaler"];

export function egressObjectIdentities(s: EgressObjectSources): Made[] {
    const made: Made[] = [];
    const add = (from: string, objs: { kind: string; metadata: { name: string; namespace: string } }[]) =>
        objs.forEach((o) => made.push({ id: id(o.kind, o.metadata.namespace, o.metadata.name), from }));
    if (s.gateway) {
        const g = s.gateway;
        [...CHART_KINDS, "Telemetry"].forEach((kind) => made.push({ id: id(kind, g.namespace, g.name), from: "gateway" }));
    }
    if (s.destinations) {
        const plan = planDestinations(s.destinations, {});
        add("gateway", plan.shared);
        plan.perDestination.forEach((p, i) => add(`destinations[${i}]`, p.objects));
    }
    if (s.sniProxy) {
        const p = s.sniProxy;
        add("sniProxy", sniProxyObjects({ ...p, labels: {} }));
    }
    s.kubernetesServices.forEach((k, i) => add(`kubernetesServices[${i}]`, kubernetesEgressServiceObjects(k, {})));
    s.externalProxies.forEach((p, i) => add(`externalProxies[${i}]`, [externalHttpsProxyServiceEntry(p, {})]));
    s.forwardProxies.forEach((p, i) => add(`forwardProxies[${i}]`, forwardProxyObjects(p, {})));
    for (const ns of s.networkPolicies?.namespaces ?? []) {
        made.push({ id: id("NetworkPolicy", ns, s.networkPolicies?.policyName ?? "istio-egress-only"), from: "networkPolicies" });
    }
    for (const ns of s.registryOnly?.namespaces ?? []) {
        made.push({ id: id("Sidecar", ns, s.registryOnly?.sidecarName ?? "default"), from: "registryOnly" });
    }
    if (s.gateway) {
        const ns = s.gateway.namespace;
        s.credentialNames.forEach((n, i) => made.push({ id: id("Secret", ns, n), from: `certificates.credentials[${i}]` }));
    }
    return made;
}

/**
 * Egress names the component of a namespaced entry `<egress>-<kind>-<namespace>-<name>`: two
 * entries whose namespace and name join to the same text ("a-b" + "c", "a" + "b-c") would get one
 * Pulumi resource name, which the engine refuses.
 */
function checkJoinedNames(list: string, entries: { namespace: string; name: string }[]): void {
    const first = new Map<string, number>();
    entries.forEach((e, i) => {
        const joined = `${e.namespace}-${e.name}`;
        const earlier = first.get(joined);
        if (earlier !== undefined) {
            const msg = `${list}[${i}]: namespace ${JSON.stringify(e.namespace)} and name ${JSON.stringify(e.name)} join to the same resource name as ${list}[${earlier}] (${JSON.stringify(joined)}): rename one of them`;
            throw new ValidationError(msg, [msg]);
        }
        first.set(joined, i);
    });
}

/** Throws the first clash: one line naming both config entries and the object. */
export function checkObjectIdentities(s: EgressObjectSources): void {
    checkJoinedNames("kubernetesServices", s.kubernetesServices);
    checkJoinedNames("externalProxies", s.externalProxies);
    checkJoinedNames("forwardProxies", s.forwardProxies);
    const first = new Map<string, string>();
    for (const m of egressObjectIdentities(s)) {
        const earlier = first.get(m.id);
        if (earlier !== undefined) {
            const msg = `${m.from}: would write ${m.id}, which ${earlier} also writes: give one of them another name`;
            throw new ValidationError(msg, [msg]);
        }
        first.set(m.id, m.from);
    }
}
