import { GatewayRef, HBONE_PORT } from "../validation/gateway";
import {
    GatewayApiObject,
    ISTIO_GATEWAY_CLASS,
    Listener,
    TLS_TERMINATE_MODE_OPTION,
    WAYPOINT_FOR_LABEL,
    WAYPOINT_GATEWAY_CLASS,
    gatewayApiObject,
} from "./types";

// Pure builders: the egress gateway as a Gateway API Gateway that istiod deploys (its Deployment,
// Service `<name>-istio`, and on request HPA and PDB), with the deployment settings in the
// ConfigMap istiod reads through spec.infrastructure.parametersRef.

/** A listener's name for a gateway port: routes attach to it by this sectionName. */
export function listenerName(port: number): string {
    return `port-${port}`;
}

/**
 * Every port terminates Istio mutual TLS (the listener option Istio documents for it), so the
 * gateway knows each caller's workload identity and its AuthorizationPolicies can decide who
 * leaves. Inside is plain HTTP, routed by host: HTTP destinations and TLS origination alike.
 */
function listener(port: number): Listener {
    return {
        name: listenerName(port),
        port,
        protocol: "HTTPS",
        tls: { mode: "Terminate", options: { [TLS_TERMINATE_MODE_OPTION]: "ISTIO_MUTUAL" } },
        allowedRoutes: { namespaces: { from: "Same" } },
    };
}

/** The Gateway of class istio: ClusterIP (inside the cluster only), a listener per port. */
export function gatewayApiGateway(ref: GatewayRef, labels: Record<string, string>, parametersName?: string): GatewayApiObject<"Gateway"> {
    return gatewayApiObject(
        "Gateway",
        {
            name: ref.name,
            namespace: ref.namespace,
            labels,
            annotations: { "networking.istio.io/service-type": "ClusterIP" },
        },
        {
            gatewayClassName: ISTIO_GATEWAY_CLASS,
            listeners: ref.ports.map((p) => listener(p.port)),
            ...(parametersName ? { infrastructure: { parametersRef: { group: "", kind: "ConfigMap", name: parametersName } } } : {}),
        },
    );
}

/**
 * A waypoint (class istio-waypoint) for services: ztunnel sends it the traffic of every
 * ServiceEntry labelled istio.io/use-waypoint with its name, over HBONE (Istio mTLS tunnels
 * that carry the caller's identity), and it goes out from there.
 */
export function waypointGateway(ref: GatewayRef, labels: Record<string, string>, parametersName?: string): GatewayApiObject<"Gateway"> {
    return gatewayApiObject(
        "Gateway",
        { name: ref.name, namespace: ref.namespace, labels: { ...labels, [WAYPOINT_FOR_LABEL]: "service" } },
        {
            gatewayClassName: WAYPOINT_GATEWAY_CLASS,
            listeners: [{ name: "mesh", port: HBONE_PORT, protocol: "HBONE" }],
            ...(parametersName ? { infrastructure: { parametersRef: { group: "", kind: "ConfigMap", name: parametersName } } } : {}),
        },
    );
}

/** The deployment settings of a Gateway API gateway, as istiod's deployment controller takes them. */
export interface GatewayDeploymentSettings {
    readonly replicas?: number;
    readonly autoscaling?: { minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage?: number };
    readonly resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    readonly nodeSelector?: Record<string, string>;
    readonly tolerations?: object[];
    readonly podDisruptionBudget?: { minAvailable: number } | { maxUnavailable: number };
}

/**
 * The parametersRef ConfigMap's data: strategic-merge overlays istiod applies to what it renders.
 * The HorizontalPodAutoscaler and PodDisruptionBudget exist only when their overlay does.
 */
export function gatewayDeploymentOverlays(s: GatewayDeploymentSettings): Record<string, string> {
    const podSpec = {
        ...(s.nodeSelector ? { nodeSelector: s.nodeSelector } : {}),
        ...(s.tolerations ? { tolerations: s.tolerations } : {}),
        ...(s.resources ? { containers: [{ name: "istio-proxy", resources: s.resources }] } : {}),
    };
    const deployment = {
        spec: {
            ...(s.replicas !== undefined ? { replicas: s.replicas } : {}),
            ...(Object.keys(podSpec).length > 0 ? { template: { spec: podSpec } } : {}),
        },
    };
    const out: Record<string, string> = {};
    if (Object.keys(deployment.spec).length > 0) {
        out.deployment = JSON.stringify(deployment);
    }
    if (s.autoscaling) {
        const cpu = s.autoscaling.targetCPUUtilizationPercentage ?? 80;
        out.horizontalPodAutoscaler = JSON.stringify({
            spec: {
                minReplicas: s.autoscaling.minReplicas,
                maxReplicas: s.autoscaling.maxReplicas,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } }],
            },
        });
    }
    if (s.podDisruptionBudget) {
        out.podDisruptionBudget = JSON.stringify({ spec: s.podDisruptionBudget });
    }
    return out;
}
