import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CertificateAuthority, CertificateAuthorityArgs, certificateAuthorityArgsSchema } from "../certs/certificateAuthority";
import { LeafCertificate, leafCertificateArgsSchema } from "../certs/leafCertificate";
import { SdsCredential, sdsCredentialProblems } from "../certs/sdsCredential";
import { parseOrThrow } from "../validation/format";
import { checkUnique, dnsLabel } from "../validation/common";

/** The subject, key and validity of a certificate the stack's CA issues. */
export interface EgressCertificateSubjectArgs {
    /** Subject common name, e.g. "my-nginx.mesh-external.svc.cluster.local". */
    readonly commonName: string;
    /** Subject organization. */
    readonly organization?: string;
    /** "ECDSA_P256", "RSA_2048" or "RSA_4096". @default "ECDSA_P256" */
    readonly keyAlgorithm?: string;
    /** Validity in hours. @default 2160 (90 days) */
    readonly validityHours?: number;
    /** Hours before expiry at which `pulumi up` re-signs the certificate. @default 360 (15 days) */
    readonly earlyRenewalHours?: number;
}

/** A certificate the stack's CA issues. */
export interface EgressLeafArgs extends EgressCertificateSubjectArgs {
    /** Short name for the certificate (resource names, outputs). */
    readonly name: string;
    /** DNS SANs. @default [commonName] for servers, none for clients */
    readonly dnsNames?: string[];
}

/** An SDS credential Secret in the gateway's namespace, for a destination's `tls.credentialName`. */
export interface EgressCredentialArgs {
    /** Secret name: `<x>-cacert` for a CA-only (SIMPLE) credential; not starting with istio/prometheus. */
    readonly name: string;
    /** Issue a client certificate and make a MUTUAL credential (tls.crt, tls.key, ca.crt). */
    readonly client?: EgressCertificateSubjectArgs;
}

/** Certificates issued in the stack and the SDS credentials made from them (S5–S8). */
export interface EgressCertificatesArgs {
    /** The CA that signs every certificate below: issued here, or existing PEMs. */
    readonly authority: CertificateAuthorityArgs;
    /** Server certificates, e.g. for an mTLS server you run (the seed's my-nginx). */
    readonly servers?: EgressLeafArgs[];
    /** SDS credential Secrets for the gateway. */
    readonly credentials?: EgressCredentialArgs[];
}

export const egressCertificatesSchema = z.strictObject({
    authority: z.unknown(),
    servers: z.array(z.strictObject({ name: dnsLabel }).loose()).optional(),
    credentials: z.array(z.strictObject({ name: z.string(), client: z.record(z.string(), z.unknown()).optional() })).optional(),
}).superRefine((c, ctx) => {
    checkUnique(c.servers ?? [], (s) => s.name, ctx, (i) => ["servers", i, "name"], "server certificate name");
    checkUnique(c.credentials ?? [], (s) => s.name, ctx, (i) => ["credentials", i, "name"], "credential name");
});

const PLACEHOLDER_CA = { certificatePem: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----", privateKeyPem: "placeholder" };

/** Validates every part with its own component's schema, reporting paths from `certificates.`. */
export function validateEgressCertificates(c: EgressCertificatesArgs): void {
    parseOrThrow(egressCertificatesSchema, c, "certificates");
    parseOrThrow(certificateAuthorityArgsSchema, c.authority, "certificates.authority");
    (c.servers ?? []).forEach((s, i) => {
        const { name: _name, ...leaf } = s;
        parseOrThrow(leafCertificateArgsSchema, { ...leaf, ca: PLACEHOLDER_CA, usage: "SERVER" }, `certificates.servers[${i}]`);
    });
    (c.credentials ?? []).forEach((cred, i) => {
        const problems = sdsCredentialProblems(cred.name, cred.client !== undefined);
        if (problems.length > 0) {
            parseOrThrow(z.never({ error: problems[0] }), cred.name, `certificates.credentials[${i}].name`);
        }
        if (cred.client) {
            parseOrThrow(leafCertificateArgsSchema, { ...cred.client, ca: PLACEHOLDER_CA, usage: "CLIENT" }, `certificates.credentials[${i}].client`);
        }
    });
}

/** What the certificates part of an Egress produced. */
export interface IssuedCertificates {
    readonly ca: CertificateAuthority;
    readonly servers: Record<string, LeafCertificate>;
    readonly credentials: SdsCredential[];
}

/** Issues the CA, server and client certificates and writes the credential Secrets. */
export function issueEgressCertificates(
    name: string, c: EgressCertificatesArgs, credentialNamespace: string, opts: pulumi.ComponentResourceOptions,
): IssuedCertificates {
    const ca = new CertificateAuthority(`${name}-ca`, c.authority, opts);
    const servers: Record<string, LeafCertificate> = {};
    for (const s of c.servers ?? []) {
        const { name: serverName, ...leaf } = s;
        servers[serverName] = new LeafCertificate(`${name}-server-${serverName}`, { ...leaf, ca, usage: "SERVER" }, opts);
    }
    const credentials = (c.credentials ?? []).map((cred) => {
        const client = cred.client ? new LeafCertificate(`${name}-client-${cred.name}`, { ...cred.client, ca, usage: "CLIENT" }, opts) : undefined;
        return new SdsCredential(`${name}-credential-${cred.name}`, {
            name: cred.name,
            namespace: credentialNamespace,
            caCertificatePem: ca.certificatePem,
            ...(client ? { certificatePem: client.certificatePem, privateKeyPem: client.privateKeyPem } : {}),
        }, opts);
    });
    return { ca, servers, credentials };
}
