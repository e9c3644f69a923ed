// The egress rules other stacks are held to, as pure functions of one resource's type and
// inputs: each returns the violations it finds (empty when the resource complies).

/** What the policy pack is configured with (`pulumi preview --policy-pack-config`). */
export interface EgressRulesConfig {
    /** Namespaces where MESH_EXTERNAL ServiceEntries may live: the egress stack's. */
    readonly egressNamespaces: string[];
    /** External hosts a DestinationRule may send plain text to (legacy services with no TLS). */
    readonly plaintextHosts: string[];
    /** Cluster DNS domain: hosts under it are in-cluster. */
    readonly clusterDomain: string;
}

export const DEFAULT_RULES_CONFIG: EgressRulesConfig = {
    egressNamespaces: ["istio-system"],
    plaintextHosts: [],
    clusterDomain: "cluster.local",
};

/** A resource as a policy sees it: its Pulumi type token and its inputs. */
export interface PolicyResource {
    readonly type: string;
    readonly props: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `kubernetes:networking.istio.io/v1:ServiceEntry` (any version) → true for kind ServiceEntry. */
function isIstio(r: PolicyResource, group: string, kind: string): boolean {
    return new RegExp(`^kubernetes:${group.replace(/\./g, "\\.")}/v[0-9a-z]+:${kind}$`).test(r.type);
}

const namespaceOf = (props: Obj): string => {
    const ns = obj(props.metadata).namespace;
    return typeof ns === "string" && ns !== "" ? ns : "default";
};
const nameOf = (props: Obj): string => String(obj(props.metadata).name ?? "(unnamed)");

/** A ServiceEntry for a host outside the mesh belongs to the egress stack's namespaces only. */
export function meshExternalOutsideEgress(r: PolicyResource, c: EgressRulesConfig): string[] {
    if (!isIstio(r, "networking.istio.io", "ServiceEntry")) {
        return [];
    }
    const spec = obj(r.props.spec);
    // MESH_EXTERNAL is Istio's default location.
    const location = spec.location ?? "MESH_EXTERNAL";
    const ns = namespaceOf(r.props);
    if (location !== "MESH_EXTERNAL" || c.egressNamespaces.includes(ns)) {
        return [];
    }
    const hosts = list(spec.hosts).join(", ");
    return [
        `ServiceEntry ${ns}/${nameOf(r.props)} opens ${hosts || "an external host"} (MESH_EXTERNAL) outside the egress namespaces (${c.egressNamespaces.join(", ")}): ask for it through the egress stack`,
    ];
}

/** ALLOW_ANY lets a sidecar send any unknown host straight out. */
export function allowAnyOutbound(r: PolicyResource): string[] {
    const found: string[] = [];
    if (isIstio(r, "networking.istio.io", "Sidecar") && obj(obj(r.props.spec).outboundTrafficPolicy).mode === "ALLOW_ANY") {
        found.push(`Sidecar ${namespaceOf(r.props)}/${nameOf(r.props)} sets outboundTrafficPolicy ALLOW_ANY`);
    }
    // istiod's mesh config, through its Helm chart or the istio ConfigMap.
    if (/^kubernetes:helm\.sh\/v[0-9]+:(Release|Chart)$/.test(r.type)) {
        const values = obj(r.props.values);
        if (obj(obj(obj(values.meshConfig).outboundTrafficPolicy)).mode === "ALLOW_ANY") {
            found.push(
                `Helm values of ${String(r.props.name ?? r.props.chart ?? "a chart")} set meshConfig.outboundTrafficPolicy.mode ALLOW_ANY`,
            );
        }
    }
    if (r.type === "kubernetes:core/v1:ConfigMap" && /^istio(-|$)/.test(nameOf(r.props))) {
        const mesh = String(obj(r.props.data).mesh ?? "");
        if (/outboundTrafficPolicy:\s*\n\s+mode:\s*["']?ALLOW_ANY/.test(mesh)) {
            found.push(`ConfigMap ${namespaceOf(r.props)}/${nameOf(r.props)} sets the mesh's outboundTrafficPolicy to ALLOW_ANY`);
        }
    }
    return found;
}

/** A workload-level Sidecar whose egress lists every host ("*" + "/*") gives those pods the whole mesh back. */
export function workloadSidecarReopensAll(r: PolicyResource): string[] {
    if (!isIstio(r, "networking.istio.io", "Sidecar")) {
        return [];
    }
    const spec = obj(r.props.spec);
    if (spec.workloadSelector === undefined) {
        return [];
    }
    const reopened = list(spec.egress).some((e) => list(obj(e).hosts).includes("*/*"));
    return reopened
        ? [`Sidecar ${namespaceOf(r.props)}/${nameOf(r.props)} selects workloads and re-opens egress to every host ("*/*")`]
        : [];
}

/** True for a host name the cluster serves itself (a Service), not one outside it. */
export function isClusterHost(host: string, clusterDomain: string): boolean {
    return !host.includes(".") || host.endsWith(".svc") || host.endsWith(`.svc.${clusterDomain}`) || host.endsWith(`.${clusterDomain}`);
}

/** A DestinationRule that turns TLS off to an external host sends its traffic in plain text. */
export function tlsDisabledToExternalHost(r: PolicyResource, c: EgressRulesConfig): string[] {
    if (!isIstio(r, "networking.istio.io", "DestinationRule")) {
        return [];
    }
    const spec = obj(r.props.spec);
    const host = String(spec.host ?? "");
    if (host === "" || isClusterHost(host, c.clusterDomain) || c.plaintextHosts.includes(host)) {
        return [];
    }
    const policies = [obj(spec.trafficPolicy), ...list(spec.subsets).map((s) => obj(obj(s).trafficPolicy))];
    const disabled = policies.some(
        (p) => obj(p.tls).mode === "DISABLE" || list(p.portLevelSettings).some((s) => obj(obj(s).tls).mode === "DISABLE"),
    );
    return disabled
        ? [
              `DestinationRule ${namespaceOf(r.props)}/${nameOf(r.props)} disables TLS to the external host ${host} (plain text leaves the cluster)`,
          ]
        : [];
}
