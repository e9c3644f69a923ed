// Self-check of the real-TLS harness (./realTls.ts) without a cluster: the mutual TLS tests run
// on certificates made here with openssl (shaped like the stack's: ECDSA P-256, CA with
// keyCertSign, server leaf with serverAuth and a DNS SAN, client leaf with clientAuth, keys as
// "EC PRIVATE KEY" PEM like @pulumi/tls), and the SNI proxy tests run on our own generator.
//
//   npm run test:e2e -- -g 'real TLS harness'

import * as fs from "node:fs";
import { sniProxyConfig } from "../../proxy/sniProxyConfig";
import { IssuedPems, describeMutualTls, describeSniProxy } from "./realTls";
import { makeCa, makeLeaf } from "./support/openssl";
import { makeTempDir, removeTempDir } from "./support/processes";

const SERVER_HOST = "my-nginx.mesh-external.svc.cluster.local";

// Leftover processes are stopped by the root hooks (support/rootHooks.ts), not here: this file
// shares the run with the control plane the other e2e files use.
describe("real TLS harness self-check", function () {
    describe("real TLS harness self-check: mutual TLS (openssl-made CA, server and client certificates)", function () {
        let dir: string | undefined;
        let pems: IssuedPems | undefined;

        before(async function () {
            this.timeout(120_000);
            dir = await makeTempDir("selfcheck-pems");
            const ca = await makeCa(dir, "ca", { commonName: "example.com", organization: "example Inc." });
            const server = await makeLeaf(dir, "server", ca, {
                commonName: SERVER_HOST,
                organization: "some organization",
                usage: "server",
                dnsNames: [SERVER_HOST],
                traditionalKey: true,
            });
            const client = await makeLeaf(dir, "client", ca, {
                commonName: "client.example.com",
                organization: "client organization",
                usage: "client",
                traditionalKey: true,
            });
            const read = (f: string) => fs.readFileSync(f, "utf8");
            pems = {
                caCertificatePem: read(ca.certFile),
                serverCertificatePem: read(server.certFile),
                serverPrivateKeyPem: read(server.keyFile),
                clientCertificatePem: read(client.certFile),
                clientPrivateKeyPem: read(client.keyFile),
                serverHost: SERVER_HOST,
            };
        });

        after(async function () {
            if (dir !== undefined) await removeTempDir(dir);
        });

        describeMutualTls(() => {
            if (pems === undefined) throw new Error("the self-check's certificates were not made");
            return pems;
        });
    });

    describe("real TLS harness self-check: SNI proxy from proxy/sniProxyConfig.ts", function () {
        describeSniProxy(sniProxyConfig);
    });
});
