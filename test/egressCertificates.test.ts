import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { get, resetRegistrations, settle, unwrap } from "./helpers/mocks";
import { validatedManifests } from "./helpers/validatedManifests";
import { Egress, EgressArgs } from "../api";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const mtls: EgressArgs = {
    gateway: {},
    certificates: {
        authority: { commonName: "example.com" },
        servers: [{ name: "my-nginx", commonName: "my-nginx.mesh-external.svc.cluster.local" }],
        credentials: [{ name: "client-credential", client: { commonName: "client.example.com" } }, { name: "client-credential-cacert" }],
    },
    destinations: [
        {
            name: "nginx",
            host: "my-nginx.mesh-external.svc.cluster.local",
            createServiceEntry: false,
            tls: { mode: "MUTUAL", credentialName: "client-credential", subjectAltNames: ["my-nginx.mesh-external.svc.cluster.local"] },
        },
    ],
};

async function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
    return (o as unknown as { isSecret: Promise<boolean> }).isSecret;
}

describe("S5–S8 in the Egress component (certificates, credentials, origination at the gateway)", () => {
    beforeEach(resetRegistrations);

    it("S6: the gateway originates mTLS with the credential Secret holding the CA-signed client certificate", async () => {
        const egress = new Egress("s6", mtls);
        const all = await validatedManifests();
        const dr = get(all, "DestinationRule/istio-system/nginx").spec as Any;
        assert.deepEqual(dr.trafficPolicy.portLevelSettings[0].tls, {
            mode: "MUTUAL",
            credentialName: "client-credential",
            sni: "my-nginx.mesh-external.svc.cluster.local",
            subjectAltNames: ["my-nginx.mesh-external.svc.cluster.local"],
        });
        assert.equal(all.has("ServiceEntry/istio-system/nginx"), false, "my-nginx is a Kubernetes Service already");
        // Secret values reach the engine wrapped as Pulumi secrets (the signature key), never plain.
        const SECRET_SIG = "4dabf18193072939515e22adb298388d";
        const secret = get(all, "Secret/istio-system/client-credential") as Any;
        assert.ok(SECRET_SIG in secret.stringData, "stringData is a secret");
        assert.deepEqual(Object.keys(secret.stringData.value).sort(), ["ca.crt", "tls.crt", "tls.key"]);
        const caOnly = get(all, "Secret/istio-system/client-credential-cacert") as Any;
        assert.ok(SECRET_SIG in caOnly.stringData, "stringData is a secret");
        assert.deepEqual(Object.keys(caOnly.stringData.value), ["ca.crt"]);
        // The client certificate is signed by the stack's CA key.
        const registered = await settle();
        const signed = registered.filter((r) => r.type === "tls:index/locallySignedCert:LocallySignedCert");
        const caKey = registered.find((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name === "s6-pki-ca-ca-key");
        assert.ok(caKey, "a CA key");
        assert.equal(signed.length, 2, "server and client certificates");
        assert.deepEqual(await unwrap(egress.credentialSecrets), [
            "istio-system/client-credential",
            "istio-system/client-credential-cacert",
        ]);
        assert.ok(await unwrap(egress.caCertificatePem));
        assert.deepEqual(Object.keys(await unwrap(egress.certificateExpiry)).sort(), ["ca", "server/my-nginx"]);
        assert.equal(await isSecret(egress.serverCertificates), true, "server private keys leave the stack only as secrets");
        assert.equal(await isSecret(egress.caCertificatePem), false, "the CA certificate is public");
    });

    it("rejects MUTUAL origination with a CA-only credential of the stack, before registering anything", async () => {
        const bad: EgressArgs = {
            ...mtls,
            destinations: [
                { host: "my-nginx.mesh-external.svc.cluster.local", tls: { mode: "MUTUAL", credentialName: "client-credential-cacert" } },
            ],
        };
        assert.throws(
            () => new Egress("s6-bad", bad),
            /^ComponentInputError: destinations\[0\]\.tls\.credentialName: "client-credential-cacert" ends with "-cacert", which Istio reads as a CA-only credential/,
        );
        assert.deepEqual(
            (await settle()).filter((r) => !r.type.startsWith("istio-egress:")),
            [],
        );
    });

    it("rejects a badly named credential with its path in the whole setup", async () => {
        const bad: EgressArgs = {
            ...mtls,
            certificates: { authority: { commonName: "example.com" }, credentials: [{ name: "istio-client" }] },
        };
        assert.throws(() => new Egress("s8-bad", bad), /certificates\.credentials\[0\]\.name: .*istio/);
        assert.deepEqual(
            (await settle()).filter((r) => !r.type.startsWith("istio-egress:")),
            [],
        );
    });
});
