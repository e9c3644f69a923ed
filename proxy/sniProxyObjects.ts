import { createHash } from "node:crypto";
import { IstioObject, istioObject, ObjectMeta } from "../istio/types";
import { ConfigMapObject, DeploymentObject, NetworkPolicyObject, ServiceObject, PodToleration } from "../kube/types";
import { sniProxyConfig } from "./sniProxyConfig";

/** A port the proxy serves, and the host patterns it forwards from it. */
export interface SniProxyPortRoute {
    readonly port: number;
    readonly allowedHosts: string[];
}

export interface SniProxyPlanInput {
    readonly name: string;
    readonly namespace: string;
    readonly image: string;
    readonly replicas: number;
    readonly routes: SniProxyPortRoute[];
    readonly resolvers: string[];
    readonly ipv6: boolean;
    readonly labels: Record<string, string>;
    readonly nodeSelector?: Record<string, string>;
    readonly tolerations?: PodToleration[];
    /** Pod labels of the egress gateway: the only pods the proxy admits. */
    readonly gatewaySelector: Record<string, string>;
    readonly clusterDomain: string;
}

/** The proxy runs as non-root: a privileged port p is served on p + 10000 inside the pod. */
export function unprivilegedPort(port: number): number {
    return port < 1024 ? port + 10000 : port;
}

/** The nginx user of the official image. */
const NGINX_UID = 101;

/**
 * ConfigMap, Deployment and Service of the SNI proxy that runs beside the egress gateway, the
 * NetworkPolicy that admits only the gateway's pods (the proxy has no sidecar: without it a pod
 * that skips its own sidecar could use the proxy to go around the gateway), and a DISABLE
 * DestinationRule for the proxy's host, so a mesh-wide ISTIO_MUTUAL rule cannot break the hop.
 * nginx runs as non-root on unprivileged ports, with a read-only root file system.
 */
export function sniProxyObjects(
    p: SniProxyPlanInput,
): [ConfigMapObject, DeploymentObject, ServiceObject, NetworkPolicyObject, IstioObject<"DestinationRule">] {
    const meta: ObjectMeta = { name: p.name, namespace: p.namespace, labels: p.labels };
    const listeners = p.routes.map((r) => ({ listenPort: unprivilegedPort(r.port), upstreamPort: r.port, allowedHosts: r.allowedHosts }));
    const conf = sniProxyConfig({ listeners, resolvers: p.resolvers, ipv6: p.ipv6 });
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
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: NGINX_UID,
                        runAsGroup: NGINX_UID,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: [
                        {
                            name: "nginx",
                            image: p.image,
                            ports: listeners.map((l) => ({
                                name: `tls-${l.upstreamPort}`,
                                containerPort: l.listenPort,
                                protocol: "TCP" as const,
                            })),
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                capabilities: { drop: ["ALL"] },
                            },
                            volumeMounts: [
                                { name: "config", mountPath: "/etc/nginx", readOnly: true },
                                // nginx writes its pid file and temporary files here.
                                { name: "tmp", mountPath: "/tmp" },
                                { name: "cache", mountPath: "/var/cache/nginx" },
                            ],
                            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                            readinessProbe: { tcpSocket: { port: listeners[0]?.listenPort as number }, periodSeconds: 10 },
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: p.name } },
                        { name: "tmp", emptyDir: {} },
                        { name: "cache", emptyDir: {} },
                    ],
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
            ports: listeners.map((l) => ({
                name: `tls-${l.upstreamPort}`,
                port: l.upstreamPort,
                protocol: "TCP" as const,
                targetPort: l.listenPort,
            })),
        },
    };
    const ingress: NetworkPolicyObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta,
        spec: {
            podSelector: { matchLabels: podLabels },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: p.gatewaySelector } }],
                    ports: listeners.map((l) => ({ protocol: "TCP" as const, port: l.listenPort })),
                },
            ],
        },
    };
    const plainToProxy = istioObject("DestinationRule", meta, {
        host: `${p.name}.${p.namespace}.svc.${p.clusterDomain}`,
        trafficPolicy: { tls: { mode: "DISABLE" } },
        exportTo: ["."],
    });
    return [configMap, deployment, service, ingress, plainToProxy];
}
