import { ValidGatewayPort } from "../validation/gateway";
import { PodToleration } from "../kube/types";

// Values for Istio's `gateway` chart (see ../shared/istio/gateway-values.schema.json) that make
// it an egress gateway: ClusterIP service, chosen labels and ports, no autoscaler by default.

export interface GatewayValuesInput {
    readonly name: string;
    readonly labels: Record<string, string>;
    readonly ports: ValidGatewayPort[];
    readonly replicas?: number;
    readonly autoscaling?: { minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage?: number };
    readonly resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
    readonly nodeSelector?: Record<string, string>;
    readonly tolerations?: PodToleration[];
    readonly podDisruptionBudget?: { minAvailable?: number; maxUnavailable?: number };
}

export type HelmValues = Record<string, unknown>;

/** The Service port name tells sidecars the protocol of the mesh → gateway hop. */
export function gatewayServicePortName(p: ValidGatewayPort): string {
    if (p.protocol === "HTTP") {
        return p.port === 80 ? "http2" : `http-${p.port}`;
    }
    return p.port === 443 ? "https" : `tls-${p.port}`;
}

export function gatewayValues(v: GatewayValuesInput): HelmValues {
    const values: HelmValues = {
        name: v.name,
        labels: v.labels,
        service: {
            type: "ClusterIP",
            ports: [
                { name: "status-port", port: 15021, protocol: "TCP", targetPort: 15021 },
                ...v.ports.map((p) => ({
                    name: gatewayServicePortName(p),
                    port: p.port,
                    protocol: "TCP",
                    targetPort: p.targetPort ?? p.port,
                })),
            ],
        },
        autoscaling: v.autoscaling
            ? {
                  enabled: true,
                  minReplicas: v.autoscaling.minReplicas,
                  maxReplicas: v.autoscaling.maxReplicas,
                  ...(v.autoscaling.targetCPUUtilizationPercentage !== undefined
                      ? { targetCPUUtilizationPercentage: v.autoscaling.targetCPUUtilizationPercentage }
                      : {}),
              }
            : { enabled: false },
    };
    if (!v.autoscaling && v.replicas !== undefined) {
        values.replicaCount = v.replicas;
    }
    if (v.resources) {
        values.resources = v.resources;
    }
    if (v.nodeSelector) {
        values.nodeSelector = v.nodeSelector;
    }
    if (v.tolerations) {
        values.tolerations = v.tolerations;
    }
    if (v.podDisruptionBudget) {
        values.podDisruptionBudget = v.podDisruptionBudget;
    }
    return values;
}

/** Deep merge for the values escape hatch: objects merge, everything else (arrays too) replaces. */
export function mergeValues(base: HelmValues, override: HelmValues): HelmValues {
    const out: HelmValues = { ...base };
    for (const [k, v] of Object.entries(override)) {
        const cur = out[k];
        if (isPlainObject(cur) && isPlainObject(v)) {
            out[k] = mergeValues(cur, v);
        } else {
            out[k] = v;
        }
    }
    return out;
}

function isPlainObject(v: unknown): v is HelmValues {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
