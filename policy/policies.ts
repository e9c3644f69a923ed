import { Policies, ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import {
    allowAnyOutbound,
    DEFAULT_RULES_CONFIG,
    EgressRulesConfig,
    meshExternalOutsideEgress,
    PolicyResource,
    tlsDisabledToExternalHost,
    workloadSidecarReopensAll,
} from "./rules";

// The policies of the istio-egress policy pack, without the pack itself (which starts serving
// when constructed): what unit tests and policy/index.ts share.

const configSchema = {
    properties: {
        egressNamespaces: { type: "array" as const, items: { type: "string" as const }, default: DEFAULT_RULES_CONFIG.egressNamespaces },
        plaintextHosts: { type: "array" as const, items: { type: "string" as const }, default: DEFAULT_RULES_CONFIG.plaintextHosts },
        clusterDomain: { type: "string" as const, default: DEFAULT_RULES_CONFIG.clusterDomain },
    },
};

function check(rule: (r: PolicyResource, c: EgressRulesConfig) => string[]) {
    return (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
        const config = { ...DEFAULT_RULES_CONFIG, ...args.getConfig<Partial<EgressRulesConfig>>() };
        for (const message of rule({ type: args.type, props: args.props as Record<string, unknown> }, config)) {
            reportViolation(message);
        }
    };
}

export const EGRESS_POLICIES: Policies = [
    {
        name: "istio-egress-mesh-external-in-egress-namespaces",
        description: "A ServiceEntry for an external host (MESH_EXTERNAL) lives only in the egress stack's namespaces.",
        enforcementLevel: "mandatory",
        configSchema,
        validateResource: check(meshExternalOutsideEgress),
    },
    {
        name: "istio-egress-no-allow-any",
        description: "No outbound traffic policy ALLOW_ANY (Sidecar, istiod Helm values, or the istio mesh ConfigMap).",
        enforcementLevel: "mandatory",
        validateResource: check(allowAnyOutbound),
    },
    {
        name: "istio-egress-no-workload-sidecar-reopening-egress",
        description: 'No workload-level Sidecar that re-opens egress to every host ("*/*").',
        enforcementLevel: "mandatory",
        validateResource: check(workloadSidecarReopensAll),
    },
    {
        name: "istio-egress-no-plaintext-to-external-hosts",
        description: "No DestinationRule that disables TLS to a host outside the cluster.",
        enforcementLevel: "mandatory",
        configSchema,
        validateResource: check(tlsDisabledToExternalHost),
    },
];
