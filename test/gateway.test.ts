import * as assert from "node:assert/strict";
import { customResources, resetRegistrations, settle, unwrap } from "./helpers/mocks";
import { gatewayValuesErrors } from "./helpers/schemas";
import { validatedManifests } from "./helpers/validatedManifests";
import { EgressGateway, ISTIO_CHART_REPOSITORY, ISTIO_GATEWAY_CHART_VERSION } from "../api";

describe("S1 egress gateway install (EgressGateway)", () => {
    beforeEach(resetRegistrations);

    async function chartInputs(): Promise<Record<string, unknown>> {
        const charts = (await settle()).filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.equal(charts.length, 1, "one helm.v4.Chart");
        return charts[0]!.inputs;
    }

    it("installs the official gateway chart as a ClusterIP egress gateway with istio: egressgateway labels", async () => {
        const gw = new EgressGateway("s1-defaults", {});
        const inputs = await chartInputs();
        assert.equal(inputs.chart, "gateway");
        assert.equal(inputs.version, ISTIO_GATEWAY_CHART_VERSION);
        assert.deepEqual(inputs.repositoryOpts, { repo: ISTIO_CHART_REPOSITORY });
        assert.equal(inputs.namespace, "istio-system");
        assert.equal(inputs.name, "istio-egressgateway");
        const values = inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.equal(values.service.type, "ClusterIP");
        assert.deepEqual(values.labels, { app: "istio-egressgateway", istio: "egressgateway" });
        assert.deepEqual(
            values.service.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`),
            ["status-port:15021", "http2:80", "https:443"],
        );
        assert.equal(values.replicaCount, 2);
        assert.deepEqual(values.autoscaling, { enabled: false });
        assert.deepEqual(values.podDisruptionBudget, { minAvailable: 1 });
        assert.deepEqual(gatewayValuesErrors(values), []);
        // The ref that routes use selects exactly the labels the chart puts on the pods.
        assert.deepEqual(gw.ref.selector, values.labels);
        assert.equal(await unwrap(gw.serviceHost), "istio-egressgateway.istio-system.svc.cluster.local");
    });

    it("logs every request through the gateway (a Telemetry for its pods only), unless told not to", async () => {
        new EgressGateway("logged", {});
        const [telemetry] = (await validatedManifests()).values();
        assert.deepEqual(telemetry, {
            apiVersion: "telemetry.istio.io/v1",
            kind: "Telemetry",
            metadata: { name: "istio-egressgateway", namespace: "istio-system", labels: telemetry!.metadata.labels },
            spec: {
                selector: { matchLabels: { app: "istio-egressgateway", istio: "egressgateway" } },
                accessLogging: [{ providers: [{ name: "envoy" }] }],
            },
        });
        resetRegistrations();
        new EgressGateway("otel", { accessLogging: { provider: "otel-logs" } });
        assert.deepEqual(([...(await validatedManifests()).values()][0]!.spec as { accessLogging: unknown }).accessLogging, [
            { providers: [{ name: "otel-logs" }] },
        ]);
        resetRegistrations();
        new EgressGateway("quiet", { accessLogging: { enabled: false } });
        assert.equal((await validatedManifests()).size, 0);
    });

    it("places the gateway on dedicated egress nodes with resources, replicas, ports and a PDB", async () => {
        const gw = new EgressGateway("s1-dedicated", {
            name: "egress-gw",
            namespace: "istio-egress",
            createNamespace: true,
            labels: { istio: "egress-dedicated", team: "platform" },
            ports: [
                { port: 80, protocol: "HTTP" },
                { port: 443, protocol: "TLS" },
                { port: 9443, protocol: "TLS" },
            ],
            replicas: 3,
            resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
            nodeSelector: { "node-role.kubernetes.io/egress": "true" },
            tolerations: [{ key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" }],
            podDisruptionBudget: { maxUnavailable: 1 },
        });
        const all = await customResources();
        const ns = all.find((r) => r.type === "kubernetes:core/v1:Namespace");
        assert.deepEqual((ns?.inputs.metadata as { name: string }).name, "istio-egress");
        const inputs = await chartInputs();
        const values = inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.equal(inputs.namespace, "istio-egress");
        assert.equal(values.replicaCount, 3);
        assert.deepEqual(values.nodeSelector, { "node-role.kubernetes.io/egress": "true" });
        assert.deepEqual(values.tolerations, [{ key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" }]);
        assert.deepEqual(values.resources, { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } });
        assert.deepEqual(values.podDisruptionBudget, { maxUnavailable: 1 });
        assert.ok(values.service.ports.some((p: { name: string; port: number }) => p.name === "tls-9443" && p.port === 9443));
        assert.deepEqual(gatewayValuesErrors(values), []);
        assert.deepEqual(gw.ref.selector, { istio: "egress-dedicated", team: "platform" });
        assert.equal(gw.ref.namespace, "istio-egress");
    });

    it("uses autoscaling instead of a replica count, and a single replica gets no PDB", async () => {
        new EgressGateway("s1-hpa", { autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 } });
        let values = (await chartInputs()).values as Record<string, unknown>;
        assert.deepEqual(values.autoscaling, { enabled: true, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 });
        assert.equal(values.replicaCount, undefined);
        assert.deepEqual(values.podDisruptionBudget, { minAvailable: 1 });
        resetRegistrations();
        new EgressGateway("s1-single", { replicas: 1 });
        values = (await chartInputs()).values as Record<string, unknown>;
        assert.equal(values.podDisruptionBudget, undefined);
        assert.deepEqual(gatewayValuesErrors(values), []);
    });

    it("installs a local chart path without repository or version, and merges the values escape hatch", async () => {
        new EgressGateway("s1-local", {
            chart: { chart: "./charts/gateway" },
            values: { service: { annotations: { a: "b" } }, terminationGracePeriodSeconds: 60 },
        });
        const inputs = await chartInputs();
        assert.equal(inputs.chart, "./charts/gateway");
        assert.equal(inputs.repositoryOpts, undefined);
        assert.equal(inputs.version, undefined);
        const values = inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.equal(values.service.type, "ClusterIP", "typed values survive the merge");
        assert.deepEqual(values.service.annotations, { a: "b" });
        assert.equal(values.terminationGracePeriodSeconds, 60);
        assert.deepEqual(gatewayValuesErrors(values), []);
    });
});
