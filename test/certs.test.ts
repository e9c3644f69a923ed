import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { assertComponentInputError } from "./helpers/inputErrors";
import { FAKE_VALIDITY_END_TIME, Registered, resetRegistrations, settle, unwrap } from "./helpers/mocks";
import { CertificateAuthority, CertificateAuthorityArgs } from "../certs/certificateAuthority";
import { LeafCertificate, LeafCertificateArgs } from "../certs/leafCertificate";
import {
    SDS_FORBIDDEN_KEY,
    SdsCredential,
    SdsCredentialArgs,
    sdsCredentialKeys,
    sdsCredentialProblems,
    sdsCredentialStringData,
} from "../certs/sdsCredential";
import { KEY_ALGORITHMS, privateKeyArgs } from "../certs/keyAlgorithm";

const PRIVATE_KEY = "tls:index/privateKey:PrivateKey";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";
const CSR = "tls:index/certRequest:CertRequest";
const SIGNED = "tls:index/locallySignedCert:LocallySignedCert";
const SECRET = "kubernetes:core/v1:Secret";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB...ca\n-----END CERTIFICATE-----\n";
const CA_KEY = "-----BEGIN PRIVATE KEY-----\nMIG...ca-key\n-----END PRIVATE KEY-----\n";
const CLIENT_PEM = "-----BEGIN CERTIFICATE-----\nMIIB...client\n-----END CERTIFICATE-----\n";
const CLIENT_KEY = "-----BEGIN PRIVATE KEY-----\nMIG...client-key\n-----END PRIVATE KEY-----\n";
const NGINX = "my-nginx.mesh-external.svc.cluster.local";

/** Whether an Output is a Pulumi secret. */
function isSecret(out: pulumi.Output<unknown>): Promise<boolean> {
    return (out as unknown as { isSecret: Promise<boolean> }).isSecret;
}

/** A registered input that must be a Pulumi secret: asserts so, and returns the value inside. */
function secretInput(v: unknown): unknown {
    const wrapper = v as Record<string, unknown> | undefined;
    assert.equal(
        wrapper?.[pulumi.runtime.specialSigKey],
        pulumi.runtime.specialSecretSig,
        `${JSON.stringify(v)} is registered as a secret`,
    );
    return wrapper?.value;
}

/** The one registered resource of this type and name. */
function one(all: Registered[], type: string, name: string): Registered {
    const found = all.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `one ${type} named ${name}; registered: ${all.map((r) => `${r.type} ${r.name}`).join(", ")}`);
    return found[0]!;
}

describe("certificates: key algorithms", () => {
    it("maps documented strings to tls.PrivateKey args", () => {
        assert.deepEqual(privateKeyArgs("ECDSA_P256"), { algorithm: "ECDSA", ecdsaCurve: "P256" });
        assert.deepEqual(privateKeyArgs("RSA_2048"), { algorithm: "RSA", rsaBits: 2048 });
        assert.deepEqual(privateKeyArgs("RSA_4096"), { algorithm: "RSA", rsaBits: 4096 });
        assert.deepEqual([...KEY_ALGORITHMS], ["ECDSA_P256", "RSA_2048", "RSA_4096"]);
    });

    for (const [algorithm, expected] of [
        [undefined, { algorithm: "ECDSA", ecdsaCurve: "P256" }],
        ["RSA_2048", { algorithm: "RSA", rsaBits: 2048 }],
        ["RSA_4096", { algorithm: "RSA", rsaBits: 4096 }],
    ] as const) {
        it(`registers the CA and leaf keys for ${algorithm ?? "the default (ECDSA_P256)"}`, async () => {
            resetRegistrations();
            const ca = new CertificateAuthority(`alg-${algorithm ?? "default"}`, { commonName: "example.com", keyAlgorithm: algorithm });
            new LeafCertificate(`alg-leaf-${algorithm ?? "default"}`, { ca, commonName: NGINX, usage: "SERVER", keyAlgorithm: algorithm });
            const all = await settle();
            assert.deepEqual(one(all, PRIVATE_KEY, `alg-${algorithm ?? "default"}-ca-key`).inputs, expected);
            assert.deepEqual(one(all, PRIVATE_KEY, `alg-leaf-${algorithm ?? "default"}-key`).inputs, expected);
            assert.equal(ca.keyAlgorithm, algorithm ?? "ECDSA_P256");
        });
    }
});

describe("certificates: CertificateAuthority", () => {
    it("generates a key and a self-signed CA certificate signed with it", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("ca", { commonName: "example.com", organization: "example Inc." });
        const all = await settle();
        const key = one(all, PRIVATE_KEY, "ca-ca-key");
        const cert = one(all, SELF_SIGNED, "ca-ca-cert");
        assert.equal(secretInput(cert.inputs.privateKeyPem), "PRIVATE KEY of ca-ca-key", "the CA key signs the CA certificate");
        assert.equal(cert.inputs.isCaCertificate, true);
        assert.deepEqual(cert.inputs.allowedUses, ["cert_signing", "crl_signing", "digital_signature"]);
        assert.deepEqual(cert.inputs.subject, { commonName: "example.com", organization: "example Inc." });
        assert.equal(cert.inputs.validityPeriodHours, 8760);
        assert.equal(cert.inputs.earlyRenewalHours, 720);
        assert.ok(key.inputs);
        assert.equal(await unwrap(ca.certificatePem), "CERTIFICATE of ca-ca-cert");
        assert.equal(await unwrap(ca.privateKeyPem), "PRIVATE KEY of ca-ca-key");
        assert.equal(await unwrap(ca.expiresAt!), FAKE_VALIDITY_END_TIME);
        const parents = all
            .filter((r) => r.type.startsWith("tls:"))
            .map((r) => r.name)
            .sort();
        assert.deepEqual(parents, ["ca-ca-cert", "ca-ca-key"], "children named after the component");
    });

    it("keeps the CA private key secret, the certificate public", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("ca-secret", { commonName: "example.com" });
        assert.equal(await isSecret(ca.privateKeyPem), true);
        assert.equal(await isSecret(ca.certificatePem), false);
    });

    it("applies custom validity and early renewal", async () => {
        resetRegistrations();
        new CertificateAuthority("ca-short", { commonName: "example.com", validityHours: 48, earlyRenewalHours: 24 });
        const cert = one(await settle(), SELF_SIGNED, "ca-short-ca-cert");
        assert.equal(cert.inputs.validityPeriodHours, 48);
        assert.equal(cert.inputs.earlyRenewalHours, 24);
    });

    it("brings its own CA: no TLS resource, key kept secret", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("byo", { existing: { certificatePem: CA_PEM, privateKeyPem: CA_KEY } });
        assert.equal(await unwrap(ca.certificatePem), CA_PEM);
        assert.equal(await unwrap(ca.privateKeyPem), CA_KEY);
        assert.equal(await isSecret(ca.privateKeyPem), true);
        assert.equal(ca.expiresAt, undefined);
        assert.equal(ca.keyAlgorithm, undefined);
        const all = await settle();
        assert.deepEqual(
            all.filter((r) => r.type.startsWith("tls:")),
            [],
            "no TLS resource for an existing CA",
        );
    });

    it("accepts an existing CA given as secret Outputs", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("byo-out", {
            existing: { certificatePem: pulumi.output(CA_PEM), privateKeyPem: pulumi.secret(CA_KEY) },
        });
        assert.equal(await unwrap(ca.privateKeyPem), CA_KEY);
        assert.equal(await isSecret(ca.privateKeyPem), true);
    });
});

describe("certificates: LeafCertificate", () => {
    it("signs a SERVER certificate with the CA's key and certificate, SAN defaulting to the common name", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("wire", { commonName: "example.com" });
        const leaf = new LeafCertificate("nginx", { ca, commonName: NGINX, organization: "some organization", usage: "SERVER" });
        const all = await settle();
        const csr = one(all, CSR, "nginx-csr");
        const cert = one(all, SIGNED, "nginx-cert");
        one(all, PRIVATE_KEY, "nginx-key");
        assert.equal(secretInput(csr.inputs.privateKeyPem), "PRIVATE KEY of nginx-key", "the leaf's own key signs its CSR");
        assert.deepEqual(csr.inputs.subject, { commonName: NGINX, organization: "some organization" });
        assert.deepEqual(csr.inputs.dnsNames, [NGINX]);
        assert.equal(cert.inputs.certRequestPem, "CSR of nginx-csr");
        assert.equal(secretInput(cert.inputs.caPrivateKeyPem), "PRIVATE KEY of wire-ca-key", "the CA key signs the leaf");
        assert.equal(cert.inputs.caCertPem, "CERTIFICATE of wire-ca-cert");
        assert.deepEqual(cert.inputs.allowedUses, ["digital_signature", "key_encipherment", "server_auth"]);
        assert.equal(cert.inputs.isCaCertificate, undefined, "a leaf is not a CA");
        assert.equal(cert.inputs.validityPeriodHours, 2160);
        assert.equal(cert.inputs.earlyRenewalHours, 360);
        assert.deepEqual(leaf.dnsNames, [NGINX]);
        assert.equal(leaf.usage, "SERVER");
        assert.equal(await unwrap(leaf.certificatePem), "CERTIFICATE of nginx-cert");
        assert.equal(await unwrap(leaf.privateKeyPem), "PRIVATE KEY of nginx-key");
        assert.equal(await unwrap(leaf.caCertificatePem), "CERTIFICATE of wire-ca-cert");
        assert.equal(await unwrap(leaf.expiresAt), FAKE_VALIDITY_END_TIME);
        assert.equal(await isSecret(leaf.privateKeyPem), true);
        assert.equal(await isSecret(leaf.certificatePem), false);
    });

    it("signs a CLIENT certificate for client auth, without SANs by default, with custom renewal", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("wire2", { commonName: "example.com" });
        const leaf = new LeafCertificate("client", {
            ca,
            commonName: "client.example.com",
            organization: "client organization",
            usage: "CLIENT",
            validityHours: 720,
            earlyRenewalHours: 168,
        });
        const all = await settle();
        const cert = one(all, SIGNED, "client-cert");
        assert.deepEqual(cert.inputs.allowedUses, ["digital_signature", "key_encipherment", "client_auth"]);
        assert.equal(secretInput(cert.inputs.caPrivateKeyPem), "PRIVATE KEY of wire2-ca-key");
        assert.equal(cert.inputs.validityPeriodHours, 720);
        assert.equal(cert.inputs.earlyRenewalHours, 168);
        assert.equal(one(all, CSR, "client-csr").inputs.dnsNames, undefined);
        assert.deepEqual(leaf.dnsNames, []);
    });

    it("uses explicit DNS names, wildcards included", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("wire3", { commonName: "example.com" });
        new LeafCertificate("multi", { ca, commonName: "api", usage: "SERVER", dnsNames: ["api.example.com", "*.api.example.com"] });
        const csr = one(await settle(), CSR, "multi-csr");
        assert.deepEqual(csr.inputs.dnsNames, ["api.example.com", "*.api.example.com"]);
    });

    it("is signed by an existing CA's certificate and key", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("byo2", { existing: { certificatePem: CA_PEM, privateKeyPem: CA_KEY } });
        new LeafCertificate("byo-leaf", { ca, commonName: NGINX, usage: "SERVER" });
        const all = await settle();
        const cert = one(all, SIGNED, "byo-leaf-cert");
        assert.equal(cert.inputs.caCertPem, CA_PEM);
        assert.equal(secretInput(cert.inputs.caPrivateKeyPem), CA_KEY);
        assert.deepEqual(
            all.filter((r) => r.type === SELF_SIGNED),
            [],
        );
    });

    it("takes a plain { certificatePem, privateKeyPem } object as CA", async () => {
        resetRegistrations();
        new LeafCertificate("plain-ca", {
            ca: { certificatePem: CA_PEM, privateKeyPem: pulumi.secret(CA_KEY) },
            commonName: "client.example.com",
            usage: "CLIENT",
        });
        const cert = one(await settle(), SIGNED, "plain-ca-cert");
        assert.equal(secretInput(cert.inputs.caPrivateKeyPem), CA_KEY);
    });
});

describe("certificates: SdsCredential", () => {
    it("holds tls.crt, tls.key and ca.crt for MUTUAL, in the gateway's namespace", async () => {
        resetRegistrations();
        const ca = new CertificateAuthority("mtls-ca", { commonName: "example.com" });
        const client = new LeafCertificate("mtls-client", { ca, commonName: "client.example.com", usage: "CLIENT" });
        const cred = new SdsCredential("client-credential", {
            name: "client-credential",
            namespace: "istio-system",
            caCertificatePem: ca.certificatePem,
            certificatePem: client.certificatePem,
            privateKeyPem: client.privateKeyPem,
        });
        assert.equal(cred.mode, "MUTUAL");
        assert.equal(await unwrap(cred.secretName), "client-credential");
        assert.equal(await unwrap(cred.namespace), "istio-system");
        const secret = one(await settle(), SECRET, "client-credential-secret");
        const metadata = secret.inputs.metadata as { name: string; namespace: string; labels: Record<string, string> };
        assert.equal(metadata.name, "client-credential");
        assert.equal(metadata.namespace, "istio-system");
        assert.equal(metadata.labels["app.kubernetes.io/managed-by"], "pulumi");
        assert.equal(secret.inputs.type, "Opaque");
        const data = secretInput(secret.inputs.stringData) as Record<string, string>;
        assert.deepEqual(Object.keys(data).sort(), ["ca.crt", "tls.crt", "tls.key"]);
        assert.equal(data["ca.crt"], "CERTIFICATE of mtls-ca-ca-cert");
        assert.equal(data["tls.crt"], "CERTIFICATE of mtls-client-cert");
        assert.equal(data["tls.key"], "PRIVATE KEY of mtls-client-key");
        assert.ok(!(SDS_FORBIDDEN_KEY in data), "no token key");
        assert.equal(await isSecret(cred.secret.stringData), true, "stringData is a secret");
    });

    it("holds only ca.crt for a CA-only (SIMPLE) credential", async () => {
        resetRegistrations();
        const cred = new SdsCredential("cacert", { name: "client-credential-cacert", namespace: "istio-system", caCertificatePem: CA_PEM });
        assert.equal(cred.mode, "SIMPLE");
        const secret = one(await settle(), SECRET, "cacert-secret");
        assert.deepEqual(secretInput(secret.inputs.stringData), { "ca.crt": CA_PEM });
        assert.equal(await isSecret(cred.secret.stringData), true);
        assert.deepEqual(sdsCredentialKeys("SIMPLE"), ["ca.crt"]);
        assert.deepEqual(sdsCredentialKeys("MUTUAL"), ["tls.crt", "tls.key", "ca.crt"]);
        assert.ok(!sdsCredentialKeys("MUTUAL").includes(SDS_FORBIDDEN_KEY));
    });

    it("builds stringData as a Pulumi secret even from plain strings", async () => {
        const data = sdsCredentialStringData({ caCertificatePem: CA_PEM, certificatePem: CLIENT_PEM, privateKeyPem: CLIENT_KEY });
        assert.equal(await isSecret(data), true);
        assert.deepEqual(await unwrap(data), { "ca.crt": CA_PEM, "tls.crt": CLIENT_PEM, "tls.key": CLIENT_KEY });
    });

    it("names problems with a name without mocks (sdsCredentialProblems)", () => {
        assert.deepEqual(sdsCredentialProblems("client-credential", true), []);
        assert.deepEqual(sdsCredentialProblems("client-credential-cacert", false), []);
        assert.match(sdsCredentialProblems("client-credential", false)[0]!, /must end with "-cacert"/);
        assert.match(sdsCredentialProblems("client-credential-cacert", true)[0]!, /reserves for CA-only/);
        assert.match(sdsCredentialProblems("istio-client", true)[0]!, /starts with "istio"/);
        assert.match(sdsCredentialProblems("prometheus-cacert", false)[0]!, /starts with "prometheus"/);
        assert.match(sdsCredentialProblems("Client_Credential", true)[0]!, /is not a valid Secret name/);
    });
});

type Case = [description: string, build: (name: string) => unknown, message: string];

const ca = { certificatePem: CA_PEM, privateKeyPem: CA_KEY };
const mutual = (name: string): SdsCredentialArgs => ({
    name,
    namespace: "istio-system",
    caCertificatePem: CA_PEM,
    certificatePem: CLIENT_PEM,
    privateKeyPem: CLIENT_KEY,
});
const leaf = (args: Partial<LeafCertificateArgs>): LeafCertificateArgs => ({ ca, commonName: NGINX, usage: "SERVER", ...args });

const cases: Case[] = [
    [
        "CA-only credential not named -cacert",
        (n) => new SdsCredential(n, { name: "client-credential", namespace: "istio-system", caCertificatePem: CA_PEM }),
        'name: "client-credential" must end with "-cacert" for a CA-only credential',
    ],
    [
        "credential name starting with istio",
        (n) => new SdsCredential(n, mutual("istio-client-credential")),
        'name: "istio-client-credential" starts with "istio"',
    ],
    [
        "credential name starting with prometheus",
        (n) => new SdsCredential(n, { name: "prometheus-cacert", namespace: "istio-system", caCertificatePem: CA_PEM }),
        'name: "prometheus-cacert" starts with "prometheus"',
    ],
    [
        "MUTUAL credential named -cacert",
        (n) => new SdsCredential(n, mutual("client-credential-cacert")),
        'name: "client-credential-cacert" ends with "-cacert", which Istio reserves for CA-only credentials',
    ],
    [
        "credential name that is not a DNS subdomain",
        (n) => new SdsCredential(n, mutual("Client_Credential")),
        'name: "Client_Credential" is not a valid Secret name',
    ],
    [
        "certificate without key",
        (n) =>
            new SdsCredential(n, {
                name: "client-credential",
                namespace: "istio-system",
                caCertificatePem: CA_PEM,
                certificatePem: CLIENT_PEM,
            }),
        "privateKeyPem: is required when certificatePem is given",
    ],
    [
        "key without certificate",
        (n) =>
            new SdsCredential(n, {
                name: "client-credential",
                namespace: "istio-system",
                caCertificatePem: CA_PEM,
                privateKeyPem: CLIENT_KEY,
            }),
        "certificatePem: is required when privateKeyPem is given",
    ],
    [
        "CA certificate that is not PEM",
        (n) => new SdsCredential(n, { name: "x-cacert", namespace: "istio-system", caCertificatePem: "example.com.crt" }),
        "caCertificatePem: is not a PEM-encoded certificate",
    ],
    [
        "bad credential namespace",
        (n) => new SdsCredential(n, { ...mutual("client-credential"), namespace: "Istio_System" }),
        'namespace: "Istio_System" is not a valid name',
    ],
    [
        "SERVER certificate without DNS names",
        (n) => new LeafCertificate(n, leaf({ dnsNames: [] })),
        "dnsNames: [] is empty: a SERVER certificate needs at least one DNS name",
    ],
    [
        "SERVER certificate whose default SAN (common name) is not a DNS name",
        (n) => new LeafCertificate(n, leaf({ commonName: "My Server" })),
        'commonName: "My Server" is not a valid host name',
    ],
    [
        "bad DNS name",
        (n) => new LeafCertificate(n, leaf({ dnsNames: [NGINX, "bad_name.example.com"] })),
        'dnsNames[1]: "bad_name.example.com" is not a valid host name',
    ],
    [
        "unknown keyAlgorithm",
        (n) => new LeafCertificate(n, leaf({ keyAlgorithm: "ED25519" as never })),
        'keyAlgorithm: "ED25519" is not one of "ECDSA_P256", "RSA_2048", "RSA_4096"',
    ],
    [
        "unknown CA keyAlgorithm",
        (n) => new CertificateAuthority(n, { commonName: "example.com", keyAlgorithm: "rsa" as never }),
        'keyAlgorithm: "rsa" is not one of "ECDSA_P256", "RSA_2048", "RSA_4096"',
    ],
    ["unknown usage", (n) => new LeafCertificate(n, leaf({ usage: "BOTH" as never })), 'usage: "BOTH" is not one of "SERVER", "CLIENT"'],
    [
        "earlyRenewalHours equal to validityHours",
        (n) => new LeafCertificate(n, leaf({ validityHours: 720, earlyRenewalHours: 720 })),
        "earlyRenewalHours: 720 must be less than validityHours (720)",
    ],
    [
        "earlyRenewalHours beyond the default validity",
        (n) => new LeafCertificate(n, leaf({ earlyRenewalHours: 5000 })),
        "earlyRenewalHours: 5000 must be less than validityHours (2160)",
    ],
    [
        "CA earlyRenewalHours beyond validityHours",
        (n) => new CertificateAuthority(n, { commonName: "example.com", validityHours: 100, earlyRenewalHours: 200 }),
        "earlyRenewalHours: 200 must be less than validityHours (100)",
    ],
    ["empty common name", (n) => new LeafCertificate(n, leaf({ commonName: "", dnsNames: [NGINX] })), 'commonName: "" is empty'],
    [
        "CA without common name",
        (n) => new CertificateAuthority(n, {} as CertificateAuthorityArgs),
        "commonName: is required unless existing is given",
    ],
    [
        "existing CA with generation fields",
        (n) => new CertificateAuthority(n, { commonName: "example.com", existing: ca }),
        'commonName: "example.com" is only used for a generated CA',
    ],
    ["leaf without CA", (n) => new LeafCertificate(n, { commonName: NGINX, usage: "SERVER" } as LeafCertificateArgs), "ca: is required"],
    [
        "fractional validity",
        (n) => new LeafCertificate(n, leaf({ validityHours: 1.5 })),
        "validityHours: 1.5 is not a whole number of hours",
    ],
];

describe("certificates: bad inputs give one clear error and register nothing", () => {
    cases.forEach(([description, build, message], i) => {
        it(description, async () => {
            resetRegistrations();
            let error: unknown;
            try {
                build(`bad-cert-${i}`);
            } catch (e) {
                error = e;
            }
            const text = assertComponentInputError(error, message);
            assert.ok(!text.includes("PRIVATE KEY"), "never quotes a private key");
            const registered = await settle();
            assert.deepEqual(
                registered.filter((r) => r.type.startsWith("kubernetes:") || r.type.startsWith("tls:")),
                [],
                "no Kubernetes or TLS resource registered",
            );
            assert.ok(
                registered.every((r) => r.type.startsWith("istio-egress:index:")),
                "only the failing component itself",
            );
        });
    });
});
