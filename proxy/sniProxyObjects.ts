import { createHash } from "node:crypto";
import { IstioObject, istioObject, ObjectMeta } from "../istio/types";
import { ConfigMapObject, DeploymentObject, NetworkPolicyObject, ServiceObject, Toleration } from "../kube/types";
import { sniProxyConfig } from "./sniProxyConfig";

export interface SniProxyPlanInput {
    readonly name: string;
    readonly namespace: string;
    readonly image: string;
    readonly replicas: number;
    readonly ports: number[];
    readonly allowedHosts: string[];
    readonly resolvers: string[];
    readonly labels: Record<string, string>;
    readonly nodeSelector?: Record<string, string>;
    readonly tolerations?: Toleration[];
    /** Pod labels of the egress gateway: the only pods the proxy admits. */
    readonly gatewaySelector: Record<string, string>;
    readonly clusterDomain: string;
}

/**
 * ConfigMap, Deployment and Service of the SNI proxy that runs beside the egress gateway, the
 * NetworkPolicy that admits only the gateway's pods (the proxy has no sidecar: without it a pod
 * that skips its own sidecar could use the proxy to go around the gateway), and a DISABLE
 * DestinationRule for the proxy's host, so a mesh-wide ISTIO_MUTUAL rule cannot break the hop.
 */
export function sniProxyObjects(p: SniProxyPlanInput): [ConfigMapObject, DeploymentObject, ServiceObject, NetworkPolicyObject, IstioObject<"DestinationRule">] {
    const meta: ObjectMeta = { name: p.name, namespace: p.namespace, labels: p.labels };
    const conf = sniProxyConfig({ ports: p.ports, allowedHosts: p.allowedHosts, resolvers: p.resolvers });
    const podLabels = { app: p.name, "istio-egress.pulumi.com/sni-proxy": p.name };
    const configMap: ConfigMapObject = { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { "nginx.conf": conf } };
    const deployment: DeploymentObject = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta,
        spec: {
            replicas: p.replicas,
            selector: { matchLabels: podLabels },
            template: {
                metadata: {
                    labels: podLabels,
                    annotations: {
                        // The proxy is a plain TCP forwarder: no sidecar, the gateway reaches it directly.
                        "sidecar.istio.io/inject": "false",
                        // A config change rolls the pods.
                        "istio-egress.pulumi.com/config-sha256": createHash("sha256").update(conf).digest("hex"),
                    },
                },
                spec: {
                    containers: [{
                        name: "nginx",
                        image: p.image,
                        ports: p.ports.map((port) => ({ name: `tls-${port}`, containerPort: port, protocol: "TCP" as const })),
                        volumeMounts: [{ name: "config", mountPath: "/etc/nginx", readOnly: true }],
                        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                        readinessProbe: { tcpSocket: { port: p.ports[0] as number }, periodSeconds: 10 },
                    }],
                    volumes: [{ name: "config", configMap: { name: p.name } }],
                    ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
                    ...(p.tolerations ? { tolerations: p.tolerations } : {}),
                },
            },
        },
    };
    const service: ServiceObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta,
        spec: {
            type: "ClusterIP",
            selector: podLabels,
            ports: p.ports.map((port) => ({ name: `tls-${port}`, port, protocol: "TCP" as const, targetPort: port })),
        },
    };
    const ingress: NetworkPolicyObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta,
        spec: {
            podSelector: { matchLabels: podLabels },
            policyTypes: ["Ingress"],
            ingress: [{
                from: [{ podSelector: { matchLabels: p.gatewaySelector } }],
                ports: p.ports.map((port) => ({ protocol: "TCP" as const, port })),
            }],
        },
    };
    const plainToProxy = istioObject("DestinationRule", meta, {
        host: `${p.name}.${p.namespace}.svc.${p.clusterDomain}`,
        trafficPolicy: { tls: { mode: "DISABLE" } },
        exportTo: ["."],
    });
    return [configMap, deployment, service, ingress, plainToProxy];
}
