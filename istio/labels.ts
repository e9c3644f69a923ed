/** Labels on every object this package creates, so `kubectl get -l` finds them. */
export function managedLabels(component: string): Record<string, string> {
    return {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "istio-egress",
        "istio-egress.pulumi.com/component": component,
    };
}
