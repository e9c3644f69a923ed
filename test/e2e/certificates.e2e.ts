import { strict as assert } from "node:assert";
import { Stack } from "@pulumi/pulumi/automation";
import { describeMutualTls, IssuedPems } from "./realTls";
import { KubeObject } from "./support/kubeClient";
import { exampleStackConfig, OperationLog, withLocalChart } from "./support/pulumiProject";
import { StateObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e, up } from "./support/suite";

// S6–S8 for real: the certificates the stack issues (CA, my-nginx server, client) work in real
// TLS handshakes with nginx and curl, and a rotation replaces them while the SDS credential
// Secret is updated in place (never deleted, so the gateway never loses its credential).

const STACK = "s06-gateway-mutual-origination";
const SERVER_HOST = "my-nginx.mesh-external.svc.cluster.local";
const SECRET_PATH = "/api/v1/namespaces/istio-system/secrets/client-credential";

type Outputs = Record<string, { value: unknown }>;

function decode(secret: KubeObject, key: string): string {
    const data = secret.data as Record<string, string>;
    assert.ok(data[key], `Secret ${secret.metadata.name} has no ${key}`);
    return Buffer.from(data[key], "base64").toString("utf8");
}

function withAuthorityValidity(config: Record<string, unknown>, validityHours: number): Record<string, unknown> {
    const certs = config["istio-egress:certificates"] as { authority: Record<string, unknown> };
    return { ...config, "istio-egress:certificates": { ...certs, authority: { ...certs.authority, validityHours } } };
}

describe(`e2e: issued certificates in real TLS and their rotation (${STACK})`, function () {
    this.timeout(15 * 60_000);
    const config = withLocalChart(exampleStackConfig(STACK));
    let stack: Stack | undefined;
    let objects: StateObject[] = [];
    let pems: IssuedPems | undefined;
    let destroyed = false;

    before(async () => {
        stack = await e2e().project.stack(STACK, config);
        await up(stack);
        objects = await stateObjects(stack);
        const outputs: Outputs = await stack.outputs();
        const server = (outputs.serverCertificates.value as Record<string, { certificatePem: string; privateKeyPem: string }>)["my-nginx"];
        assert.ok(outputs.serverCertificates.value && server, "no my-nginx server certificate in the outputs");
        const secret = await e2e().cluster.client.get(SECRET_PATH);
        pems = {
            caCertificatePem: outputs.caCertificatePem.value as string,
            serverCertificatePem: server.certificatePem,
            serverPrivateKeyPem: server.privateKeyPem,
            // The client side exactly as the gateway would read it over SDS.
            clientCertificatePem: decode(secret, "tls.crt"),
            clientPrivateKeyPem: decode(secret, "tls.key"),
            serverHost: SERVER_HOST,
        };
        assert.equal(decode(secret, "ca.crt"), pems.caCertificatePem, "the credential's ca.crt is the stack's CA");
    });

    after(async () => {
        if (stack && !destroyed) {
            await stack.destroy({});
        }
    });

    it("keeps private keys secret in the stack outputs", async () => {
        const outputs: Outputs = await stack!.outputs();
        assert.equal((outputs.serverCertificates as { secret?: boolean }).secret, true, "serverCertificates output is not a secret");
    });

    describe("the seed's mTLS nginx with the stack's server certificate, curl with the stack's client credential", () => {
        describeMutualTls(() => {
            assert.ok(pems, "the stack did not deploy");
            return pems;
        });
    });

    describe("rotation: a new CA validity replaces the certificates and updates the Secret in place", () => {
        let before: KubeObject;
        let after: KubeObject;
        let log: OperationLog;

        it("pulumi up after changing certificates.authority.validityHours", async () => {
            before = await e2e().cluster.client.get(SECRET_PATH);
            await e2e().project.setConfig(stack!, withAuthorityValidity(config, 4380));
            log = await up(stack!);
            after = await e2e().cluster.client.get(SECRET_PATH);
        });

        it("replaces the CA and the client certificate (created before the old one is deleted)", () => {
            const ops = [...log.changed()];
            for (const cert of ["::egress-pki-ca-ca-cert", "::egress-pki-client-client-credential-cert"]) {
                const seen = ops.find(([urn]) => urn.endsWith(cert))?.[1] ?? [];
                assert.deepEqual(
                    seen.filter((op) => op.includes("replace")),
                    ["create-replacement", "replace", "delete-replaced"],
                    `${cert}: ${seen.join(", ")}`,
                );
            }
        });

        it("updates the credential Secret in place: same object, new certificate, never deleted", () => {
            const secretOps = [...log.changed()].filter(([urn]) => urn.includes("kubernetes:core/v1:Secret::")).map(([, ops]) => ops);
            assert.deepEqual(secretOps, [["update"]], "the Secret must be updated, not replaced or deleted");
            assert.equal(after.metadata.uid, before.metadata.uid, "the Secret was recreated");
            assert.notEqual(decode(after, "tls.crt"), decode(before, "tls.crt"), "the client certificate did not change");
            assert.notEqual(decode(after, "ca.crt"), decode(before, "ca.crt"), "the CA certificate did not change");
            assert.ok(log.ops.size > 0);
        });

        it("the rotated certificates' new validity shows in the certificateExpiry output", async () => {
            const expiry = (await stack!.outputs()).certificateExpiry.value as Record<string, string>;
            const ca = Object.entries(expiry).find(([k]) => k.toLowerCase().includes("ca"));
            assert.ok(ca, `no CA entry in certificateExpiry: ${JSON.stringify(expiry)}`);
            const hours = (Date.parse(ca[1]) - Date.now()) / 3_600_000;
            assert.ok(hours > 4380 - 2 && hours <= 4380, `CA expires in ${hours.toFixed(1)} h, want about 4380`);
        });
    });

    describe("destroy", () => {
        it("pulumi destroy leaves none of the stack's objects", async () => {
            destroyed = true;
            await destroyAndCheck(stack!, objects);
        });
    });
});
