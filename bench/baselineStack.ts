// The baseline stack program: what a platform team writes without this package. It reads the
// same stack config as index.ts (so both sides deploy the same destinations), installs the same
// gateway chart, and registers, for every destination, the objects the seeds write by hand,
// each as a plain Pulumi resource: no component resources, no validation, no shared objects.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { BASELINE_GATEWAY, seedGatewayValues, seedNetworkPolicy, seedObjects } from "./baseline";
import { BenchDestination } from "./workload";

const config = new pulumi.Config("istio-egress");
const gatewayConfig = config.getObject<{ chart?: { chart?: string } }>("gateway") ?? {};
const destinations = config.getObject<BenchDestination[]>("destinations") ?? [];
const networkPolicies = config.getObject<{ namespaces: string[] }>("networkPolicies");

new k8s.helm.v4.Chart("egress-gateway", {
    chart: gatewayConfig.chart?.chart ?? "gateway",
    name: BASELINE_GATEWAY.name,
    namespace: BASELINE_GATEWAY.namespace,
    values: seedGatewayValues(),
});

const resourceName = (o: { kind: string; metadata: { name: string; namespace: string } }) =>
    `${o.kind.toLowerCase()}-${o.metadata.namespace}-${o.metadata.name}`;

for (const d of destinations) {
    for (const o of seedObjects(d)) {
        new k8s.apiextensions.CustomResource(resourceName(o), { ...o });
    }
}
for (const ns of networkPolicies?.namespaces ?? []) {
    const policy = seedNetworkPolicy(ns);
    new k8s.networking.v1.NetworkPolicy(resourceName(policy), policy);
}
