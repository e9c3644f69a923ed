import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import { dnsLabel, labelMap, namespaceName, oneOfEnum } from "../validation/common";
import { DataPlane, EgressApi, GatewayPortProtocol, TaintEffect, TolerationOperator } from "../validation/modes";
import { GatewayRef, HBONE_PORT, gatewayPortsSchema, gatewayServiceHost, gatewayServiceName } from "../validation/gateway";
import { RoleBindingObject, RoleObject } from "../kube/types";
import { GATEWAY_NAME_LABEL, USE_WAYPOINT_LABEL } from "../gatewayapi/types";
import { GatewayDeploymentSettings, gatewayApiGateway, gatewayDeploymentOverlays, waypointGateway } from "../gatewayapi/gatewayObjects";
import { gatewayValues, HelmValues, mergeValues } from "../helm/gatewayValues";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { IstioObject, istioObject } from "../istio/types";
import { managedLabels } from "../istio/labels";
import { registerObject } from "../kube/register";
import { Accepts, validateArgs } from "../base/componentArgs";

/** Istio's chart repository: the default source of the `gateway` chart. */
export const ISTIO_CHART_REPOSITORY = "https://istio-release.storage.googleapis.com/charts";
/** The `gateway` chart version installed by default (Istio 1.30.3). */
export const ISTIO_GATEWAY_CHART_VERSION = "1.30.3";

/** A port of the egress gateway's Service. */
export interface GatewayPort {
    /** Port number on the gateway Service (and the Gateway server). */
    readonly port: number;
    /** What the port carries: "HTTP" (plain HTTP from sidecars) or "TLS" (passthrough, or Istio mTLS for origination). */
    readonly protocol: GatewayPortProtocol;
    /** Container port (not with "GATEWAY_API": istiod's gateway listens on the port itself). Default: the same as port. */
    readonly targetPort?: number;
}

/** Resource requests or limits. */
export interface ResourceQuantities {
    /** CPU, e.g. "100m". */
    readonly cpu?: string;
    /** Memory, e.g. "128Mi". */
    readonly memory?: string;
}

/** Container resources of the gateway. */
export interface ResourceRequirements {
    /** What the scheduler reserves for each pod. */
    readonly requests?: ResourceQuantities;
    /** The most each pod may use. */
    readonly limits?: ResourceQuantities;
}

/** A pod toleration, for dedicated egress nodes. */
export interface Toleration {
    /** Taint key to tolerate; empty with operator "Exists" tolerates every taint. */
    readonly key?: string;
    /** "Exists" or "Equal". Default: "Equal". */
    readonly operator?: TolerationOperator;
    /** Taint value to match (operator "Equal"). */
    readonly value?: string;
    /** "NoSchedule", "PreferNoSchedule" or "NoExecute". */
    readonly effect?: TaintEffect;
    /** How long a NoExecute taint is tolerated before eviction. Default: forever. */
    readonly tolerationSeconds?: number;
}

/** A HorizontalPodAutoscaler for the gateway. */
export interface Autoscaling {
    /** Fewest replicas. */
    readonly minReplicas: number;
    /** Most replicas. */
    readonly maxReplicas: number;
    /** Average CPU use, in percent of requests, to scale at. Default: the chart's (80). */
    readonly targetCPUUtilizationPercentage?: number;
}

/** The gateway's PodDisruptionBudget. */
export interface PodDisruptionBudget {
    /** Create a PodDisruptionBudget. Default: true when more than one replica can run. */
    readonly enabled?: boolean;
    /** Pods that must stay up during voluntary disruptions. Default: 1. */
    readonly minAvailable?: number;
    /** Pods that may be down during voluntary disruptions (instead of minAvailable). */
    readonly maxUnavailable?: number;
}

/** The gateway's access logs (Istio's Telemetry API), with the caller's identity on every line. */
export interface AccessLogging {
    /** Log every request and connection through the gateway. Default: true. */
    readonly enabled?: boolean;
    /** Istio extension provider that receives the logs. Default: "envoy" (the proxy's standard output). */
    readonly provider?: string;
}

/** Which `gateway` chart to install. */
export interface GatewayChart {
    /** Chart name in the repository, or a local chart directory ("./charts/gateway"). Default: "gateway". */
    readonly chart?: string;
    /** Chart repository URL (ignored for a local path). Default: "https://istio-release.storage.googleapis.com/charts". */
    readonly repository?: string;
    /** Chart version (ignored for a local path). Default: "1.30.3". */
    readonly version?: string;
}

/** An egress gateway's settings: Istio's gateway chart, or a Gateway API Gateway istiod deploys, as a ClusterIP egress gateway. */
export interface EgressGatewayOptions {
    /**
     * How the gateway is deployed and routed: "ISTIO" (Istio's gateway chart, an Istio Gateway and
     * VirtualServices) or "GATEWAY_API" (a Gateway of class istio, which istiod deploys as
     * `<name>-istio`, and HTTPRoutes). Default: "ISTIO".
     */
    readonly api?: EgressApi;
    /**
     * The data plane of the calling workloads: "SIDECAR", or "AMBIENT" (with api "GATEWAY_API"):
     * the gateway is a waypoint (class istio-waypoint) that ztunnel sends the destinations to.
     * Default: "SIDECAR".
     */
    readonly dataPlane?: DataPlane;
    /** Name of the gateway's Deployment, Service and Istio Gateway (with "GATEWAY_API": of the Gateway; istiod appends "-istio"). Default: "istio-egressgateway". */
    readonly name?: string;
    /** Namespace the gateway runs in; SDS credential Secrets must live here too. Default: "istio-system". */
    readonly namespace?: string;
    /** Create the namespace as part of this component (for a waypoint: enrolled in ambient mode and to use it). Default: false. */
    readonly createNamespace?: boolean;
    /** Pod labels the Istio Gateway selects (not with "GATEWAY_API": istiod labels the pods). Default: { app: <name>, istio: "egressgateway" }. */
    readonly labels?: Record<string, string>;
    /** Service ports. Default: [{ port: 80, protocol: "HTTP" }, { port: 443, protocol: "TLS" }]. */
    readonly ports?: GatewayPort[];
    /** Fixed replica count (ignored when autoscaling is set). Default: 2. */
    readonly replicas?: number;
    /** Horizontal autoscaling instead of a fixed count. */
    readonly autoscaling?: Autoscaling;
    /** Container resources. Default: the chart's (100m / 128Mi requests). */
    readonly resources?: ResourceRequirements;
    /** Node labels, to pin the gateway to dedicated egress nodes. */
    readonly nodeSelector?: Record<string, string>;
    /** Tolerations for tainted dedicated egress nodes. */
    readonly tolerations?: Toleration[];
    /** PodDisruptionBudget. Default: { minAvailable: 1 } when more than one replica can run. */
    readonly podDisruptionBudget?: PodDisruptionBudget;
    /** Chart source. Default: Istio's official `gateway` chart at 1.30.3. */
    readonly chart?: GatewayChart;
    /** Extra chart values, deep-merged over the typed ones (escape hatch). */
    // `any`, not `unknown`: the component provider's schema inference maps it to pulumi.json#/Any.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly values?: Record<string, any>;
    /** Cluster DNS domain. Default: "cluster.local". */
    readonly clusterDomain?: string;
    /** Access logs for the gateway's workload only (a Telemetry object). Default: { enabled: true, provider: "envoy" }. */
    readonly accessLogging?: AccessLogging;
    /**
     * Do not wait for the gateway's Deployment and Service to become ready (the chart's skipAwait),
     * where its pods cannot start during the update (a cluster still being built, a dry run). Default: false.
     */
    readonly skipAwait?: boolean;
}

/** Args of EgressGateway. */
export interface EgressGatewayArgs extends EgressGatewayOptions {}

/** Where an egress gateway is: `EgressGateway.ref`, or written by hand for a gateway installed elsewhere. */
export interface EgressGatewayRef {
    /** Name of the gateway's Service and Istio Gateway. */
    readonly name: string;
    /** Namespace of the gateway. */
    readonly namespace: string;
    /** Pod labels of the gateway (the Gateway's selector). */
    readonly selector: Record<string, string>;
    /** Ports of the gateway Service. */
    readonly ports: GatewayPort[];
    /** Cluster DNS domain. Default: "cluster.local". */
    readonly clusterDomain?: string;
    /** "ISTIO" (a chart gateway routed by Istio's objects) or "GATEWAY_API" (a Gateway istiod deploys, routed by HTTPRoutes). Default: "ISTIO". */
    readonly api?: EgressApi;
    /** "SIDECAR" (a gateway the sidecars route to) or "AMBIENT" (a waypoint ztunnel sends to). Default: "SIDECAR". */
    readonly dataPlane?: DataPlane;
}

/** The gateway's ports unless given: plain HTTP on 80, TLS on 443. */
const DEFAULT_GATEWAY_PORTS: { port: number; protocol: GatewayPortProtocol }[] = [
    { port: 80, protocol: "HTTP" },
    { port: 443, protocol: "TLS" },
];

/** The gateway chart's status port (health checks), which no route may take. */
export const GATEWAY_STATUS_PORT = 15021;

const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a Kubernetes quantity (e.g. "100m", "128Mi")`,
});
const quantities = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });
const positiveInt = z.number().int().min(1);

export const tolerationSchema = z
    .strictObject({
        key: z.string().optional(),
        operator: oneOfEnum(TolerationOperator).optional(),
        value: z.string().optional(),
        effect: oneOfEnum(TaintEffect).optional(),
        tolerationSeconds: z.number().int().min(0).optional(),
    })
    .superRefine((t, ctx) => {
        // What the API server refuses.
        if (t.operator === "Exists" && t.value !== undefined && t.value !== "") {
            ctx.addIssue({
                code: "custom",
                path: ["value"],
                message: `${JSON.stringify(t.value)} must be empty with operator "Exists"`,
                input: t.value,
            });
        }
        if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
            ctx.addIssue({
                code: "custom",
                path: ["tolerationSeconds"],
                message: `${t.tolerationSeconds} applies only to effect "NoExecute"`,
                input: t.tolerationSeconds,
            });
        }
        if ((t.key === undefined || t.key === "") && t.operator !== "Exists") {
            ctx.addIssue({
                code: "custom",
                path: ["operator"],
                message: `an empty key needs operator "Exists" (it tolerates every taint)`,
                input: t.operator,
            });
        }
    });

export const egressGatewayArgsSchema = z
    .strictObject({
        api: oneOfEnum(EgressApi).default("ISTIO"),
        dataPlane: oneOfEnum(DataPlane).default("SIDECAR"),
        name: dnsLabel.default("istio-egressgateway"),
        namespace: namespaceName.default("istio-system"),
        createNamespace: z.boolean().default(false),
        labels: labelMap.optional(),
        ports: gatewayPortsSchema.default(DEFAULT_GATEWAY_PORTS),
        replicas: positiveInt.optional(),
        autoscaling: z
            .strictObject({
                minReplicas: positiveInt,
                maxReplicas: positiveInt,
                targetCPUUtilizationPercentage: z.number().int().min(1).max(100).optional(),
            })
            .refine((a) => a.maxReplicas >= a.minReplicas, { error: "maxReplicas must be at least minReplicas", path: ["maxReplicas"] })
            .optional(),
        resources: z.strictObject({ requests: quantities.optional(), limits: quantities.optional() }).optional(),
        nodeSelector: labelMap.optional(),
        tolerations: z.array(tolerationSchema).optional(),
        podDisruptionBudget: z
            .strictObject({
                enabled: z.boolean().optional(),
                minAvailable: z.number().int().min(0).optional(),
                maxUnavailable: z.number().int().min(0).optional(),
            })
            .refine((p) => p.minAvailable === undefined || p.maxUnavailable === undefined, {
                error: "set minAvailable or maxUnavailable, not both",
            })
            .optional(),
        chart: z
            .strictObject({
                chart: z.string().min(1).optional(),
                repository: z
                    .string()
                    .refine((u) => /^(https|oci):\/\/[^\s/]+/.test(u), {
                        error: (iss) =>
                            `${JSON.stringify(iss.input)} is not an https:// (or oci://) chart repository: the chart runs with the mesh's privileges, fetch it over TLS`,
                    })
                    .optional(),
                version: z.string().min(1).optional(),
            })
            .optional(),
        values: z.record(z.string(), z.unknown()).optional(),
        clusterDomain: z
            .string()
            .regex(/^[a-z0-9.-]+$/)
            .default("cluster.local"),
        skipAwait: z.boolean().default(false),
        accessLogging: z
            .strictObject({
                enabled: z.boolean().default(true),
                provider: dnsLabel.default("envoy"),
            })
            .default({ enabled: true, provider: "envoy" }),
    })
    .superRefine((a, ctx) => {
        if (a.api === "GATEWAY_API") {
            gatewayApiConflicts(a, ctx);
        }
        if (a.dataPlane === "AMBIENT") {
            ambientConflicts(a, ctx);
        }
        if (a.replicas !== undefined && a.autoscaling !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["replicas"],
                message: `${a.replicas} conflicts with autoscaling: set one of them`,
                input: a.replicas,
            });
        }
        if (a.labels && Object.keys(a.labels).length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["labels"],
                message: "needs at least one label for the Gateway to select",
                input: a.labels,
            });
        }
        if (a.labels && (a.labels.istio === "ingressgateway" || a.labels.app === "istio-ingressgateway")) {
            ctx.addIssue({
                code: "custom",
                path: ["labels"],
                message: `${JSON.stringify(a.labels)} are the ingress gateway's labels: the egress Gateway and its policies would select the ingress gateway's pods`,
                input: a.labels,
            });
        }
        // The chart renders a PodDisruptionBudget only when more than one replica always runs.
        const minimum = a.autoscaling ? a.autoscaling.minReplicas : (a.replicas ?? 2);
        if (a.podDisruptionBudget?.enabled === true && minimum < 2) {
            ctx.addIssue({
                code: "custom",
                path: ["podDisruptionBudget", "enabled"],
                message: `true, but the gateway chart renders no PodDisruptionBudget when as few as ${minimum} replica runs: set replicas or autoscaling.minReplicas to 2 or more`,
                input: true,
            });
        }
        a.ports.forEach((p, i) => {
            if (p.port === GATEWAY_STATUS_PORT || p.targetPort === GATEWAY_STATUS_PORT) {
                ctx.addIssue({
                    code: "custom",
                    path: ["ports", i, "port"],
                    message: `${GATEWAY_STATUS_PORT} is the gateway chart's status port: pick another`,
                    input: p.port,
                });
            }
        });
        // The values escape hatch may not take back what the routes rely on.
        const values = (a.values ?? {}) as { labels?: unknown; service?: { ports?: unknown; type?: unknown }; name?: unknown };
        const owned: [unknown, string[], string][] = [
            [values.labels, ["values", "labels"], "labels (the Gateway and routes select the pods by them)"],
            [values.name, ["values", "name"], "name (routes address the gateway Service by it)"],
            [values.service?.ports, ["values", "service", "ports"], "ports (the routes use them)"],
        ];
        for (const [v, path, field] of owned) {
            if (v !== undefined) {
                ctx.addIssue({ code: "custom", path, message: `is set through the typed args: use ${field}`, input: v });
            }
        }
        if (values.service?.type !== undefined && values.service.type !== "ClusterIP") {
            ctx.addIssue({
                code: "custom",
                path: ["values", "service", "type"],
                message: `${JSON.stringify(values.service.type)}: an egress gateway's Service stays ClusterIP (inside the cluster only)`,
                input: values.service.type,
            });
        }
    });

/** What the chart can be told and istiod's gateway controller cannot: refused, not silently dropped. */
function gatewayApiConflicts(
    a: {
        name: string;
        api: "ISTIO" | "GATEWAY_API";
        dataPlane: "SIDECAR" | "AMBIENT";
        labels?: unknown;
        chart?: unknown;
        values?: unknown;
        skipAwait: boolean;
        ports: { targetPort?: number }[];
    },
    ctx: z.RefinementCtx,
): void {
    const why = `with api "GATEWAY_API" istiod deploys the gateway`;
    const refuse = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, message, input });
    const serviceName = gatewayServiceName(a);
    if (serviceName.length > 63) {
        refuse(
            ["name"],
            a.name,
            `${JSON.stringify(a.name)} is too long: istiod names the gateway's Service ${JSON.stringify(serviceName)}, over 63 characters`,
        );
    }
    if (a.chart !== undefined) {
        refuse(["chart"], a.chart, `is for the gateway chart: ${why}, no chart is installed`);
    }
    if (a.values !== undefined) {
        refuse(["values"], a.values, `are the gateway chart's: ${why}; use the typed settings`);
    }
    if (a.skipAwait) {
        refuse(["skipAwait"], a.skipAwait, `true has no effect: ${why}, and nothing waits for its pods`);
    }
    if (a.labels !== undefined) {
        refuse(["labels"], a.labels, `cannot select the pods: ${why} and labels them ${GATEWAY_NAME_LABEL}=${a.name}`);
    }
    a.ports.forEach((p, i) => {
        if (p.targetPort !== undefined) {
            refuse(["ports", i, "targetPort"], p.targetPort, `${p.targetPort}: ${why}, listening on the port itself`);
        }
    });
}

/** A waypoint is a Gateway API Gateway with one HBONE listener: no ports of its own to choose. */
function ambientConflicts(a: { api: string; ports: unknown }, ctx: z.RefinementCtx): void {
    if (a.api !== "GATEWAY_API") {
        ctx.addIssue({
            code: "custom",
            path: ["dataPlane"],
            message: `"AMBIENT" needs api "GATEWAY_API": the egress gateway of an ambient mesh is a waypoint, a Gateway API Gateway`,
            input: "AMBIENT",
        });
    }
    if (JSON.stringify(a.ports) !== JSON.stringify(DEFAULT_GATEWAY_PORTS)) {
        ctx.addIssue({
            code: "custom",
            path: ["ports"],
            message: `are not chosen for a waypoint: it takes every destination on its HBONE port ${HBONE_PORT}`,
            input: a.ports,
        });
    }
}

const _argsMatchSchema: Accepts<typeof egressGatewayArgsSchema, EgressGatewayArgs> = true;
void _argsMatchSchema;

export type ValidEgressGatewayArgs = z.output<typeof egressGatewayArgsSchema>;

/** The gateway's identity as routes need it, from validated args: plain data, known before deploy. */
export function egressGatewayRef(a: ValidEgressGatewayArgs): GatewayRef {
    const selector = a.api === "GATEWAY_API" ? { [GATEWAY_NAME_LABEL]: a.name } : (a.labels ?? { app: a.name, istio: "egressgateway" });
    // A waypoint's one port: what NetworkPolicies let callers reach.
    const ports = a.dataPlane === "AMBIENT" ? [{ port: HBONE_PORT, protocol: "TLS" as const }] : a.ports;
    return { name: a.name, namespace: a.namespace, selector, ports, clusterDomain: a.clusterDomain, api: a.api, dataPlane: a.dataPlane };
}

/** The Telemetry that logs every request through the gateway (its pods only), or none when disabled. */
export function gatewayTelemetry(a: ValidEgressGatewayArgs): IstioObject<"Telemetry"> | undefined {
    if (!a.accessLogging.enabled) {
        return undefined;
    }
    const ref = egressGatewayRef(a);
    return istioObject(
        "Telemetry",
        { name: a.name, namespace: a.namespace, labels: managedLabels("EgressGateway") },
        {
            // A waypoint takes Telemetry by targetRefs only; istiod's gateways by selector.
            ...(a.dataPlane === "AMBIENT"
                ? { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: a.name }] }
                : { selector: { matchLabels: ref.selector } }),
            accessLogging: [{ providers: [{ name: a.accessLogging.provider }] }],
        },
    );
}

/** The Role (read the namespace's Secrets) and RoleBinding the gateway chart gives its service account. */
export function secretReaderRbac(
    serviceAccount: string,
    namespace: string,
    labels: Record<string, string>,
): [RoleObject, RoleBindingObject] {
    const metadata = { name: serviceAccount, namespace, labels };
    return [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata,
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: serviceAccount },
            subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace }],
        },
    ];
}

/**
 * A waypoint's own namespace, enrolled as `istioctl waypoint apply --enroll-namespace` and Istio's
 * ambient egress guide do it: in ambient mode, every service in it through the waypoint (each
 * destination's ServiceEntry is labelled too, so a namespace made elsewhere works the same).
 */
export function waypointNamespaceLabels(waypoint: string): Record<string, string> {
    return { "istio.io/dataplane-mode": "ambient", [USE_WAYPOINT_LABEL]: waypoint };
}

/** True for a chart reference that is a local directory rather than a repository chart. */
export function isLocalChart(chart: string): boolean {
    return chart.startsWith(".") || chart.startsWith("/");
}

/** Replicas, placement and disruption budget from validated args, the same for the chart and istiod. */
export function gatewayDeploymentSettings(a: ValidEgressGatewayArgs): GatewayDeploymentSettings {
    const replicas = a.autoscaling ? undefined : (a.replicas ?? 2);
    // As the chart decides: a PodDisruptionBudget only when more than one replica always runs.
    const canHaveSeveral = a.autoscaling ? a.autoscaling.minReplicas > 1 : (replicas ?? 1) > 1;
    const pdb = a.podDisruptionBudget;
    const pdbEnabled = pdb?.enabled ?? canHaveSeveral;
    const pdbSpec = pdbEnabled
        ? pdb?.maxUnavailable !== undefined
            ? { maxUnavailable: pdb.maxUnavailable }
            : { minAvailable: pdb?.minAvailable ?? 1 }
        : undefined;
    return {
        replicas,
        autoscaling: a.autoscaling,
        resources: a.resources,
        nodeSelector: a.nodeSelector,
        tolerations: a.tolerations,
        podDisruptionBudget: pdbSpec,
    };
}

/** The complete chart values for validated args (typed values, then the escape hatch). */
export function egressGatewayValues(a: ValidEgressGatewayArgs): HelmValues {
    const ref = egressGatewayRef(a);
    const typed = gatewayValues({ name: a.name, labels: ref.selector, ports: a.ports, ...gatewayDeploymentSettings(a) });
    return a.values ? mergeValues(typed, a.values) : typed;
}

/**
 * Istio's `gateway` Helm chart installed as an egress gateway (ClusterIP Service, egress
 * labels, chosen ports, replicas, resources, dedicated-node placement, PodDisruptionBudget).
 *
 * Installed with `helm.v4.Chart`, which renders client-side and registers every Kubernetes
 * object as its own Pulumi resource: `pulumi preview --diff` shows per-object changes, and no
 * Helm release state lives in the cluster (unlike `helm.v3.Release`, which diffs one opaque blob).
 */
export class EgressGateway extends pulumi.ComponentResource {
    /** How routes find this gateway: name, namespace, pod selector and ports (plain data). */
    public readonly ref: EgressGatewayRef;
    /** In-mesh host of the gateway Service, e.g. `istio-egressgateway.istio-system.svc.cluster.local`. */
    public readonly serviceHost: pulumi.Output<string>;
    /** Namespace the gateway runs in. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: EgressGatewayArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.EgressGateway, name, {}, opts);
        const a = validateArgs(egressGatewayArgsSchema, args, this);
        const ref = egressGatewayRef(a);
        this.ref = ref;

        const dependsOn: pulumi.Resource[] = [];
        if (a.createNamespace) {
            dependsOn.push(
                new k8s.core.v1.Namespace(
                    childName(name, "namespace"),
                    { metadata: { name: a.namespace, ...(a.dataPlane === "AMBIENT" ? { labels: waypointNamespaceLabels(a.name) } : {}) } },
                    { parent: this },
                ),
            );
        }
        if (a.api === "GATEWAY_API") {
            // istiod deploys it: the Gateway, and the ConfigMap its parametersRef names.
            const overlays = gatewayDeploymentOverlays(gatewayDeploymentSettings(a));
            const parameters = Object.keys(overlays).length > 0 ? `${a.name}-parameters` : undefined;
            const labels = managedLabels("EgressGateway");
            const configMap = parameters
                ? [
                      registerObject(
                          childName(name, "parameters"),
                          {
                              apiVersion: "v1",
                              kind: "ConfigMap",
                              metadata: { name: parameters, namespace: a.namespace, labels },
                              data: overlays,
                          },
                          { parent: this, dependsOn },
                      ),
                  ]
                : [];
            const gateway =
                a.dataPlane === "AMBIENT" ? waypointGateway(ref, labels, parameters) : gatewayApiGateway(ref, labels, parameters);
            registerObject(childName(name, "gateway"), gateway, {
                parent: this,
                dependsOn: [...dependsOn, ...configMap],
            });
            // istiod serves a DestinationRule's credentialName (a client certificate for MUTUAL
            // origination) only to a proxy whose service account may read its namespace's
            // Secrets; the chart's gateway gets that Role from the chart, istiod's gets none.
            for (const obj of secretReaderRbac(gatewayServiceName(ref), a.namespace, labels)) {
                registerObject(childName(name, obj.kind.toLowerCase()), obj, { parent: this, dependsOn });
            }
        } else {
            const chartName = a.chart?.chart ?? "gateway";
            const local = isLocalChart(chartName);
            new k8s.helm.v4.Chart(
                childName(name, "chart"),
                {
                    chart: chartName,
                    name: a.name,
                    namespace: a.namespace,
                    ...(local
                        ? {}
                        : {
                              version: a.chart?.version ?? ISTIO_GATEWAY_CHART_VERSION,
                              repositoryOpts: { repo: a.chart?.repository ?? ISTIO_CHART_REPOSITORY },
                          }),
                    values: egressGatewayValues(a),
                    // Only when asked: an unset input keeps deployed charts unchanged.
                    ...(a.skipAwait ? { skipAwait: true } : {}),
                },
                { parent: this, dependsOn },
            );
        }

        const telemetry = gatewayTelemetry(a);
        if (telemetry) {
            registerObject(childName(name, "telemetry"), telemetry, { parent: this, dependsOn });
        }

        this.serviceHost = pulumi.output(gatewayServiceHost(ref));
        this.namespace = pulumi.output(a.namespace);
        this.registerOutputs({ serviceHost: this.serviceHost, namespace: this.namespace });
    }
}
