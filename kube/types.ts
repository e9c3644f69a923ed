import { IstioObject, ObjectMeta } from "../istio/types";
import { GatewayApiObject } from "../gatewayapi/types";

// Plain (non-Input) shapes of the core Kubernetes objects the pure builders return.

export interface ServicePortSpec {
    name: string;
    port: number;
    protocol: "TCP" | "UDP";
    targetPort?: number;
}

export interface ServiceObject {
    apiVersion: "v1";
    kind: "Service";
    metadata: ObjectMeta;
    spec: {
        type: "ClusterIP" | "ExternalName";
        externalName?: string;
        selector?: Record<string, string>;
        ports: ServicePortSpec[];
    };
}

export interface EndpointSliceObject {
    apiVersion: "discovery.k8s.io/v1";
    kind: "EndpointSlice";
    metadata: ObjectMeta;
    addressType: "IPv4" | "IPv6";
    endpoints: { addresses: string[]; conditions: { ready: boolean } }[];
    ports: { name: string; port: number; protocol: "TCP" }[];
}

export interface EndpointsObject {
    apiVersion: "v1";
    kind: "Endpoints";
    metadata: ObjectMeta;
    subsets: { addresses: { ip: string }[]; ports: { name: string; port: number; protocol: "TCP" }[] }[];
}

export interface NetworkPolicyPeer {
    namespaceSelector?: { matchLabels: Record<string, string> };
    podSelector?: { matchLabels?: Record<string, string> };
    ipBlock?: { cidr: string };
}

export interface NetworkPolicyPort {
    protocol: "TCP" | "UDP";
    port: number;
}

export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: ObjectMeta;
    spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: ["Egress"] | ["Ingress"];
        egress?: { to: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
        ingress?: { from: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    };
}

export interface ConfigMapObject {
    apiVersion: "v1";
    kind: "ConfigMap";
    metadata: ObjectMeta;
    data: Record<string, string>;
}

export interface RoleObject {
    apiVersion: "rbac.authorization.k8s.io/v1";
    kind: "Role";
    metadata: ObjectMeta;
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}

export interface RoleBindingObject {
    apiVersion: "rbac.authorization.k8s.io/v1";
    kind: "RoleBinding";
    metadata: ObjectMeta;
    roleRef: { apiGroup: "rbac.authorization.k8s.io"; kind: "Role"; name: string };
    subjects: { kind: "ServiceAccount"; name: string; namespace: string }[];
}

export interface DeploymentObject {
    apiVersion: "apps/v1";
    kind: "Deployment";
    metadata: ObjectMeta;
    spec: {
        replicas: number;
        selector: { matchLabels: Record<string, string> };
        template: {
            metadata: { labels: Record<string, string>; annotations: Record<string, string> };
            spec: {
                securityContext?: {
                    runAsNonRoot: boolean;
                    runAsUser: number;
                    runAsGroup: number;
                    seccompProfile: { type: "RuntimeDefault" };
                };
                containers: {
                    name: string;
                    image: string;
                    ports: { name: string; containerPort: number; protocol: "TCP" }[];
                    securityContext?: {
                        allowPrivilegeEscalation: boolean;
                        readOnlyRootFilesystem: boolean;
                        capabilities: { drop: string[] };
                    };
                    volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
                    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
                    readinessProbe?: { tcpSocket: { port: number }; periodSeconds: number };
                }[];
                volumes: ({ name: string; configMap: { name: string } } | { name: string; emptyDir: Record<string, never> })[];
                nodeSelector?: Record<string, string>;
                tolerations?: PodToleration[];
            };
        };
    };
}

export interface PodToleration {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
    tolerationSeconds?: number;
}

export type CoreObject =
    | ServiceObject
    | EndpointSliceObject
    | EndpointsObject
    | NetworkPolicyObject
    | ConfigMapObject
    | DeploymentObject
    | RoleObject
    | RoleBindingObject;

/** Any object a pure builder returns. */
export type KubeObject = CoreObject | IstioObject | GatewayApiObject;
