import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { IstioObject, istioObject } from "../istio/types";
import { managedLabels } from "../istio/labels";
import { registerObject } from "../kube/register";
import { dnsLabel, exactHost, exportToSchema, ipOrCidr, namespaceName, nonEmptyList, portNumber } from "../validation/common";
import { TYPE_TOKENS } from "../base/typeTokens";
import { childName } from "../base/childNames";
import { Accepts, validateArgs } from "../base/componentArgs";

/** A legacy HTTPS proxy outside the mesh that applications use with HTTP CONNECT. */
export interface ExternalHttpsProxyOptions {
    /** Name of the ServiceEntry. */
    readonly name: string;
    /** Namespace of the ServiceEntry. */
    readonly namespace: string;
    /** The proxy's IP addresses or CIDR blocks. */
    readonly addresses: string[];
    /** The proxy's port (HTTP CONNECT), e.g. 3128. */
    readonly port: number;
    /** A name for the proxy in the mesh registry; Istio ignores it for TCP. Default: "<name>.external-proxy.invalid". */
    readonly hostname?: string;
    /** Namespaces the ServiceEntry is visible to. Default: all. */
    readonly exportTo?: string[];
}

/** Args of ExternalHttpsProxy. */
export interface ExternalHttpsProxyArgs extends ExternalHttpsProxyOptions {}

export const externalHttpsProxyArgsSchema = z.strictObject({
    name: dnsLabel,
    namespace: namespaceName,
    addresses: nonEmptyList(ipOrCidr, "address"),
    port: portNumber,
    hostname: exactHost.optional(),
    exportTo: exportToSchema.optional(),
});

const _argsMatchSchema: Accepts<typeof externalHttpsProxyArgsSchema, ExternalHttpsProxyArgs> = true;
void _argsMatchSchema;

/** The TCP ServiceEntry of an external HTTPS proxy, as a pure function of validated args. */
export function externalHttpsProxyServiceEntry(
    a: z.output<typeof externalHttpsProxyArgsSchema>,
    labels: Record<string, string>,
): IstioObject<"ServiceEntry"> {
    return istioObject(
        "ServiceEntry",
        { name: a.name, namespace: a.namespace, labels },
        {
            hosts: [a.hostname ?? `${a.name}.external-proxy.invalid`],
            addresses: a.addresses,
            ports: [{ number: a.port, name: `tcp-${a.port}`, protocol: "TCP" }],
            location: "MESH_EXTERNAL",
            resolution: "NONE",
            ...(a.exportTo ? { exportTo: a.exportTo } : {}),
        },
    );
}

/**
 * An external, legacy HTTPS proxy that apps reach with HTTP CONNECT. It is registered as
 * TCP (not HTTP: after CONNECT the proxy is a tunnel), by address, `resolution: NONE`,
 * `MESH_EXTERNAL`. Hosts behind the proxy must NOT get ServiceEntries: to Istio every request
 * goes to the proxy.
 */
export class ExternalHttpsProxy extends pulumi.ComponentResource {
    constructor(name: string, args: ExternalHttpsProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.ExternalHttpsProxy, name, {}, opts);
        const a = validateArgs(externalHttpsProxyArgsSchema, args, this);
        registerObject(childName(name, a.name), externalHttpsProxyServiceEntry(a, managedLabels("ExternalHttpsProxy")), { parent: this });
        this.registerOutputs({});
    }
}
