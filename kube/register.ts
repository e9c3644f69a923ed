import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KubeObject } from "./types";

/**
 * Registers one planned object as its typed Pulumi resource, so `pulumi preview --diff`
 * shows each Kubernetes object on its own. Istio objects become CustomResources.
 */
export function registerObject(name: string, obj: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    switch (obj.kind) {
        case "Service":
            return new k8s.core.v1.Service(name, obj, opts);
        case "EndpointSlice":
            return new k8s.discovery.v1.EndpointSlice(name, obj, opts);
        case "Endpoints":
            return new k8s.core.v1.Endpoints(name, obj, opts);
        case "NetworkPolicy":
            return new k8s.networking.v1.NetworkPolicy(name, obj, opts);
        case "ConfigMap":
            return new k8s.core.v1.ConfigMap(name, obj, opts);
        case "Deployment":
            return new k8s.apps.v1.Deployment(name, obj, opts);
        case "Role":
            return new k8s.rbac.v1.Role(name, obj, opts);
        case "RoleBinding":
            return new k8s.rbac.v1.RoleBinding(name, obj, opts);
        default:
            return new k8s.apiextensions.CustomResource(name, { ...obj }, opts);
    }
}

/** `kind/namespace/name`, the way summaries and tests name objects. */
export function objectId(obj: KubeObject): string {
    return `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
}
