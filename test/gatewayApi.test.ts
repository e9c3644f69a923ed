import * as assert from "node:assert/strict";
import { gatewayApiGateway, gatewayDeploymentOverlays } from "../gatewayapi/gatewayObjects";
import { planGatewayApiDestinations } from "../gatewayapi/destinationRoutes";
import { planWaypointDestinations } from "../gatewayapi/waypointDestinations";
import { waypointGateway } from "../gatewayapi/gatewayObjects";
import { planDestinations } from "../istio/destinationObjects";
import { resolvedDestinationsSchema } from "../validation/destinations";
import { gatewayRefSchema } from "../validation/gateway";
import { istioSchemaErrors } from "./helpers/schemas";

// Pure builders of the Gateway API variant, without mocks.

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const REF = gatewayRefSchema.parse({
    name: "istio-egressgateway",
    namespace: "istio-system",
    selector: { "gateway.networking.k8s.io/gateway-name": "istio-egressgateway" },
    ports: [
        { port: 80, protocol: "HTTP" },
        { port: 443, protocol: "TLS" },
    ],
    api: "GATEWAY_API",
});
const LABELS = { "app.kubernetes.io/managed-by": "pulumi" };

function plan(destinations: unknown[], extra: Record<string, unknown> = {}) {
    const resolved = resolvedDestinationsSchema.parse({ gateway: REF, destinations, ...extra });
    return { resolved, plan: planGatewayApiDestinations(resolved, LABELS) };
}

describe("Gateway API builders", () => {
    it("a Gateway of class istio, ClusterIP, every listener terminating Istio mTLS, valid against the Gateway API CRD", () => {
        const gw = gatewayApiGateway(REF, LABELS, "istio-egressgateway-parameters");
        assert.equal(gw.metadata.annotations?.["networking.istio.io/service-type"], "ClusterIP");
        assert.equal(gw.spec.gatewayClassName, "istio");
        assert.deepEqual(
            gw.spec.listeners.map((l) => [l.name, l.port, l.protocol, l.tls?.options?.["gateway.istio.io/tls-terminate-mode"]]),
            [
                ["port-80", 80, "HTTPS", "ISTIO_MUTUAL"],
                ["port-443", 443, "HTTPS", "ISTIO_MUTUAL"],
            ],
        );
        assert.deepEqual(gw.spec.infrastructure, {
            parametersRef: { group: "", kind: "ConfigMap", name: "istio-egressgateway-parameters" },
        });
        assert.deepEqual(istioSchemaErrors(gw), []);
        assert.equal(gatewayApiGateway(REF, LABELS).spec.infrastructure, undefined, "no parametersRef without parameters");
    });

    it("the CRD check can fail: a listener field the Gateway API does not have", () => {
        const gw = gatewayApiGateway(REF, LABELS) as Any;
        gw.spec.listeners[0].sni = "edition.cnn.com";
        assert.notDeepEqual(istioSchemaErrors(gw), []);
    });

    it("deployment overlays: replicas and placement on the Deployment, an HPA and a PDB only when asked", () => {
        const overlays = gatewayDeploymentOverlays({
            replicas: 3,
            resources: { requests: { cpu: "200m" } },
            nodeSelector: { egress: "true" },
            tolerations: [{ key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" }],
            podDisruptionBudget: { minAvailable: 2 },
        });
        assert.deepEqual(JSON.parse(overlays.deployment as string), {
            spec: {
                replicas: 3,
                template: {
                    spec: {
                        nodeSelector: { egress: "true" },
                        tolerations: [{ key: "dedicated", operator: "Equal", value: "egress", effect: "NoSchedule" }],
                        containers: [{ name: "istio-proxy", resources: { requests: { cpu: "200m" } } }],
                    },
                },
            },
        });
        assert.deepEqual(JSON.parse(overlays.podDisruptionBudget as string), { spec: { minAvailable: 2 } });
        assert.equal(overlays.horizontalPodAutoscaler, undefined);
        const hpa = JSON.parse(
            gatewayDeploymentOverlays({ autoscaling: { minReplicas: 2, maxReplicas: 5 } }).horizontalPodAutoscaler as string,
        );
        assert.deepEqual(hpa.spec.metrics[0].resource.target, { type: "Utilization", averageUtilization: 80 });
        assert.deepEqual(gatewayDeploymentOverlays({}), {});
    });

    it("per destination: a ServiceEntry, the mesh route on it, the gateway route out, its policy; no SNI condition (the host decides)", () => {
        const { plan: p } = plan([
            { name: "cnn", host: "edition.cnn.com", allowedSources: { namespaces: ["shop"] } },
            {
                name: "partner",
                host: "api.partner.example.com",
                tls: { mode: "SIMPLE" },
                allowedSources: { serviceAccounts: ["payments/api"] },
            },
        ]);
        const [cnn, partner] = p.perDestination.map((d) => d.objects);
        assert.deepEqual(
            cnn?.map((o) => `${o.kind}/${o.metadata.name}`),
            ["ServiceEntry/cnn", "HTTPRoute/cnn", "HTTPRoute/cnn-gateway", "AuthorizationPolicy/cnn"],
        );
        const mesh = cnn?.[1]?.spec as Any;
        assert.deepEqual(mesh.parentRefs, [{ group: "networking.istio.io", kind: "ServiceEntry", name: "cnn", port: 80 }]);
        assert.deepEqual(mesh.rules[0].backendRefs, [{ name: "istio-egressgateway-istio", port: 80 }]);
        const out = partner?.find((o) => o.metadata.name === "partner-gateway")?.spec as Any;
        assert.deepEqual(out.parentRefs, [{ name: "istio-egressgateway", sectionName: "port-443" }]);
        assert.deepEqual(out.rules[0].backendRefs, [
            { group: "networking.istio.io", kind: "Hostname", name: "api.partner.example.com", port: 443 },
        ]);
        const policy = cnn?.[3]?.spec as Any;
        assert.equal(policy.rules[0].when, undefined);
        assert.deepEqual(policy.rules[0].to[0].operation.ports, ["80"]);
        const origination = partner?.find((o) => o.kind === "DestinationRule")?.spec as Any;
        assert.deepEqual(origination.workloadSelector, { matchLabels: REF.selector }, "only the gateway originates");
        for (const o of [...p.shared, ...p.perDestination.flatMap((d) => d.objects)]) {
            assert.deepEqual(istioSchemaErrors(o), [], `${o.kind}/${o.metadata.name}`);
        }
    });

    it("Istio mTLS to the gateway Service for exactly the namespaces that may use a destination", () => {
        const mtls = (destinations: unknown[], extra?: Record<string, unknown>) =>
            plan(destinations, extra).plan.shared.find((o) => o.kind === "DestinationRule")?.spec as Any;
        const two = mtls([
            { name: "a", host: "a.example.com", allowedSources: { namespaces: ["shop"] } },
            { name: "b", host: "b.example.com", allowedSources: { serviceAccounts: ["payments/api", "shop/x"] } },
        ]);
        assert.deepEqual(two, {
            host: "istio-egressgateway-istio.istio-system.svc.cluster.local",
            trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
            exportTo: ["shop", "payments"],
        });
        assert.equal(mtls([{ host: "a.example.com", allowedSources: { namespaces: ["*"] } }]).exportTo, undefined, "open to any workload");
        assert.deepEqual(mtls([{ host: "a.example.com" }]).exportTo, ["."], "nobody may use it");
        assert.deepEqual(mtls([{ host: "a.example.com" }], { exportTo: ["team-a"] }).exportTo, ["team-a"], "an explicit exportTo");
    });

    it("DIRECT destinations come out as with the Istio API; nothing shared without a destination through the gateway", () => {
        const direct = [{ name: "d", host: "api.example.com", egress: "DIRECT", tls: { mode: "SIMPLE" } }];
        const { resolved, plan: p } = plan(direct);
        assert.deepEqual(p.perDestination, planDestinations(resolved, LABELS).perDestination);
        assert.deepEqual(p.shared, []);
    });

    describe("ambient: a waypoint as the egress gateway", () => {
        const WAYPOINT = gatewayRefSchema.parse({
            ...REF,
            namespace: "istio-egress",
            ports: [{ port: 15008, protocol: "TLS" }],
            dataPlane: "AMBIENT",
        });
        const waypointPlan = (destinations: unknown[], extra: Record<string, unknown> = {}) =>
            planWaypointDestinations(resolvedDestinationsSchema.parse({ gateway: WAYPOINT, destinations, ...extra }), LABELS);

        it("the waypoint: class istio-waypoint, for services, one HBONE listener, valid against the CRD", () => {
            const gw = waypointGateway(WAYPOINT, LABELS);
            assert.equal(gw.spec.gatewayClassName, "istio-waypoint");
            assert.equal(gw.metadata.labels?.["istio.io/waypoint-for"], "service");
            assert.deepEqual(gw.spec.listeners, [{ name: "mesh", port: 15008, protocol: "HBONE" }]);
            assert.deepEqual(istioSchemaErrors(gw), []);
        });

        it("per destination: a ServiceEntry labelled to use the waypoint, seen by every namespace, and a policy attached to it", () => {
            const p = waypointPlan([{ name: "cnn", host: "edition.cnn.com", allowedSources: { namespaces: ["shop"] } }]);
            assert.deepEqual(p.shared, []);
            const [se, policy] = p.perDestination[0]?.objects ?? [];
            assert.equal(se?.metadata.labels?.["istio.io/use-waypoint"], "istio-egressgateway");
            assert.equal((se?.spec as Any).exportTo, undefined, "every caller goes to the waypoint, which refuses the others");
            assert.deepEqual(policy?.spec, {
                targetRefs: [{ group: "networking.istio.io", kind: "ServiceEntry", name: "cnn" }],
                action: "ALLOW",
                rules: [{ from: [{ source: { namespaces: ["shop"] } }] }],
            });
            for (const o of p.perDestination.flatMap((d) => d.objects)) {
                assert.deepEqual(istioSchemaErrors(o), [], `${o.kind}/${o.metadata.name}`);
            }
        });

        it("nobody allowed: a policy with no rules, which allows nothing", () => {
            const policy = waypointPlan([{ name: "cnn", host: "edition.cnn.com" }]).perDestination[0]?.objects[1];
            assert.deepEqual(policy?.spec, {
                targetRefs: [{ group: "networking.istio.io", kind: "ServiceEntry", name: "cnn" }],
                action: "ALLOW",
            });
        });

        it("origination on the app's port: the ServiceEntry maps it to the TLS port, the rule (no workloadSelector) sets TLS there", () => {
            const [se, , dr] =
                waypointPlan([{ name: "p", host: "api.partner.example.com", tls: { mode: "SIMPLE" } }]).perDestination[0]?.objects ?? [];
            assert.deepEqual((se?.spec as Any).ports[0], { number: 80, protocol: "HTTP", name: "http-80", targetPort: 443 });
            assert.deepEqual((dr?.spec as Any).trafficPolicy.portLevelSettings[0].port, { number: 80 });
            assert.equal((dr?.spec as Any).workloadSelector, undefined, "a waypoint ignores rules with one");
            assert.deepEqual((dr?.spec as Any).exportTo, ["."]);
        });
    });
});
