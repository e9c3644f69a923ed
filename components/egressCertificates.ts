import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CertificateAuthority, CertificateAuthorityOptions, certificateAuthorityArgsSchema } from "../certs/certificateAuthority";
import { certificateSubjectFields, checkLeaf, LeafCertificate, leafCertificateArgsSchema } from "../certs/leafCertificate";
import { SdsCredential, sdsCredentialArgsSchema, sdsCredentialProblems } from "../certs/sdsCredential";
import { checkUnique, dnsLabel, hostPattern, namespaceName } from "../validation/common";
import { KeyAlgorithm } from "../certs/keyAlgorithm";
import { childName } from "../base/childNames";
import { Accepts, plannedArgs, validateArgs } from "../base/componentArgs";
import { TYPE_TOKENS } from "../base/typeTokens";

/** The subject, key and validity of a certificate the stack's CA issues. */
export interface CertificateSubject {
    /** Subject common name, e.g. "client.example.com". */
    readonly commonName: string;
    /** Subject organization. */
    readonly organization?: string;
    /** Key algorithm. Default: ECDSA_P256. */
    readonly keyAlgorithm?: KeyAlgorithm;
    /** Validity in hours. Default: 2160 (90 days). */
    readonly validityHours?: number;
    /** Hours before expiry at which `pulumi up` re-signs the certificate. Default: 360 (15 days). */
    readonly earlyRenewalHours?: number;
}

/** A server certificate the stack's CA issues, e.g. for an mTLS server you run. */
export interface ServerCertificate extends CertificateSubject {
    /** Short name for the certificate (resource names, the serverCertificates output). */
    readonly name: string;
    /** DNS subject alternative names. Default: the common name. */
    readonly dnsNames?: string[];
}

/** An SDS credential Secret in the gateway's namespace, for a destination's `tls.credentialName`. */
export interface EgressCredential {
    /** Secret name: `<x>-cacert` for a CA-only (SIMPLE) credential; not starting with istio or prometheus. */
    readonly name: string;
    /** Issue a client certificate and make a MUTUAL credential (tls.crt, tls.key, ca.crt). Default: CA only. */
    readonly client?: CertificateSubject;
}

/** Certificates issued in the stack and the SDS credentials made from them, as part of an Egress. */
export interface EgressCertificatesOptions {
    /** The CA that signs every certificate below: generated here, or existing PEMs. */
    readonly authority: CertificateAuthorityOptions;
    /** Server certificates, e.g. for an mTLS server you run. Default: none. */
    readonly servers?: ServerCertificate[];
    /** SDS credential Secrets for the egress gateway. Default: none. */
    readonly credentials?: EgressCredential[];
}

export interface EgressCertificatesArgs extends EgressCertificatesOptions {
    /** Namespace of the credential Secrets: the egress gateway's (an Egress sets it). Default: istio-system. */
    readonly namespace?: string;
}

const serverSchema = z
    .strictObject({ name: dnsLabel, ...certificateSubjectFields, dnsNames: z.array(hostPattern).optional() })
    .superRefine((s, ctx) => checkLeaf({ ...s, usage: "SERVER" }, ctx));
const clientSchema = z.strictObject(certificateSubjectFields).superRefine((s, ctx) => checkLeaf({ ...s, usage: "CLIENT" }, ctx));
const credentialSchema = z.strictObject({ name: z.string(), client: clientSchema.optional() }).superRefine((c, ctx) => {
    const problems = sdsCredentialProblems(c.name, c.client !== undefined);
    if (problems.length > 0) {
        ctx.addIssue({ code: "custom", path: ["name"], message: problems[0], input: c.name });
    }
});

const certificatesFields = {
    authority: certificateAuthorityArgsSchema,
    servers: z.array(serverSchema).optional(),
    credentials: z.array(credentialSchema).optional(),
};

function checkCertificates(c: { servers?: { name: string }[]; credentials?: { name: string }[] }, ctx: z.RefinementCtx): void {
    checkUnique(
        c.servers ?? [],
        (s) => s.name,
        ctx,
        (i) => ["servers", i, "name"],
        "server certificate name",
    );
    checkUnique(
        c.credentials ?? [],
        (s) => s.name,
        ctx,
        (i) => ["credentials", i, "name"],
        "credential name",
    );
}

/** The certificates part of Egress args (the namespace is the gateway's). */
export const egressCertificatesOptionsSchema = z.strictObject(certificatesFields).superRefine(checkCertificates);

export const egressCertificatesArgsSchema = z
    .strictObject({ ...certificatesFields, namespace: namespaceName.default("istio-system") })
    .superRefine(checkCertificates);

const _argsMatchSchema: Accepts<typeof egressCertificatesArgsSchema, EgressCertificatesArgs> = true;
void _argsMatchSchema;

/** Args built from validated args, so already in the schema's validated form. */
function planned<T extends object>(args: T, schema: z.ZodType): T {
    return plannedArgs(args, schema, args);
}

/** A server certificate issued in the stack. */
export interface IssuedServerCertificate {
    /** PEM certificate (public). */
    readonly certificatePem: string;
    /** PEM private key (a secret). */
    readonly privateKeyPem: string;
}

/**
 * A CA, the server and client certificates it signs, and the SDS credential Secrets the egress
 * gateway reads them from (for TLS origination with `tls.credentialName`).
 */
export class EgressCertificates extends pulumi.ComponentResource {
    /** The CA certificate (public). */
    public readonly caCertificatePem: pulumi.Output<string>;
    /** `namespace/name` of each SDS credential Secret. */
    public readonly credentialSecrets: pulumi.Output<string[]>;
    /** Expiry (RFC 3339) of every generated certificate, by name ("ca", "server/<name>"). */
    public readonly certificateExpiry: pulumi.Output<Record<string, string>>;
    /** Server certificates by name: PEM certificate (public) and private key (secret). */
    public readonly serverCertificates: pulumi.Output<Record<string, IssuedServerCertificate>>;

    constructor(name: string, args: EgressCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.EgressCertificates, name, {}, opts);
        const a = validateArgs(egressCertificatesArgsSchema, args, this);
        // These children were the parent's own before this component existed: the alias keeps
        // an Egress deployed then from replacing its CA and certificates.
        const childOpts = { parent: this, aliases: opts?.parent ? [{ parent: opts.parent }] : [] };
        // Every child's args are built from the args validated above, already in their validated
        // form: the children take them as planned instead of checking them again.
        const ca = new CertificateAuthority(childName(name, "ca"), planned(a.authority, certificateAuthorityArgsSchema), childOpts);
        const servers: Record<string, LeafCertificate> = {};
        for (const { name: serverName, ...leaf } of a.servers ?? []) {
            servers[serverName] = new LeafCertificate(
                childName(name, "server", serverName),
                planned({ ...leaf, ca, usage: "SERVER" }, leafCertificateArgsSchema),
                childOpts,
            );
        }
        const credentials = (a.credentials ?? []).map((cred) => {
            const client = cred.client
                ? new LeafCertificate(
                      childName(name, "client", cred.name),
                      planned({ ...cred.client, ca, usage: "CLIENT" }, leafCertificateArgsSchema),
                      childOpts,
                  )
                : undefined;
            return new SdsCredential(
                childName(name, "credential", cred.name),
                planned(
                    {
                        name: cred.name,
                        namespace: a.namespace,
                        caCertificatePem: ca.certificatePem,
                        ...(client ? { certificatePem: client.certificatePem, privateKeyPem: client.privateKeyPem } : {}),
                    },
                    sdsCredentialArgsSchema,
                ),
                childOpts,
            );
        });

        this.caCertificatePem = ca.certificatePem;
        this.credentialSecrets = pulumi.all(credentials.map((c) => pulumi.interpolate`${c.namespace}/${c.secretName}`));
        const expiries: Record<string, pulumi.Output<string>> = {};
        if (ca.expiresAt) {
            expiries.ca = ca.expiresAt;
        }
        for (const [n, cert] of Object.entries(servers)) {
            expiries[`server/${n}`] = cert.expiresAt;
        }
        this.certificateExpiry = pulumi.all(expiries);
        const issued: Record<string, pulumi.Output<IssuedServerCertificate>> = {};
        for (const [n, cert] of Object.entries(servers)) {
            issued[n] = pulumi
                .all([cert.certificatePem, cert.privateKeyPem])
                .apply(([certificatePem, privateKeyPem]) => ({ certificatePem, privateKeyPem }));
        }
        this.serverCertificates = pulumi.all(issued);
        this.registerOutputs({
            caCertificatePem: this.caCertificatePem,
            credentialSecrets: this.credentialSecrets,
            certificateExpiry: this.certificateExpiry,
            serverCertificates: this.serverCertificates,
        });
    }
}
