import { strict as assert } from "node:assert";
import { Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { sniProxyConfig, SniProxyConfigOptions } from "../../proxy/sniProxyConfig";
import { checkNginxConfig, nginxBuildInfo, prepareNginxConfig } from "./support/nginx";
import { makeTempDir, removeTempDir } from "./support/processes";
import { describeSniProxy, SniProxyConfigInput } from "./realTls";
import { exampleStackConfig, withLocalChart } from "./support/pulumiProject";
import { StateObject, stateObjects } from "./support/stackObjects";
import { destroyAndCheck, e2e, up } from "./support/suite";

// S10 for real: the nginx.conf the stack deploys (ConfigMap egress-sni-proxy) is exactly the
// generator's output for the stack's ports and hosts, and that generator's config, moved to
// loopback ports and a loopback resolver, forwards TLS by SNI in a real nginx.

const STACK = "s10-sni-proxy";
const HOSTS = ["*.wikipedia.org", "*.partner.example.com"];

describe(`e2e: the SNI proxy's nginx config in a real nginx (${STACK})`, function () {
    this.timeout(15 * 60_000);
    let stack: Stack | undefined;
    let objects: StateObject[] = [];
    let deployed = "";

    before(async () => {
        stack = await e2e().project.stack(STACK, withLocalChart(exampleStackConfig(STACK)));
        await up(stack);
        objects = await stateObjects(stack);
        const cm = await e2e().cluster.client.get("/api/v1/namespaces/istio-system/configmaps/egress-sni-proxy");
        deployed = (cm.data as Record<string, string>)["nginx.conf"];
    });

    after(async () => {
        if (stack) {
            await destroyAndCheck(stack, objects);
        }
    });

    it("deploys the generator's config for ports 443 and 9443 and the stack's wildcard hosts", () => {
        const resolvers = /^\s*resolver (.+?) valid=/m.exec(deployed)?.[1].split(" ");
        assert.ok(resolvers && resolvers.length > 0, `no resolver line in\n${deployed}`);
        assert.equal(
            deployed,
            sniProxyConfig({
                listeners: [
                    { listenPort: 10443, upstreamPort: 443, allowedHosts: [HOSTS[0] as string] },
                    { listenPort: 9443, upstreamPort: 9443, allowedHosts: [HOSTS[1] as string] },
                ],
                resolvers,
                ipv6: false,
            }),
        );
    });

    it("nginx -t accepts the generator's configs at their edges: long host names, many ports, one pattern on several ports, IPv6", async () => {
        const long = (i: number) => `h${i}-${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.example.com`;
        const edges: SniProxyConfigOptions[] = [
            {
                listeners: [{ listenPort: 10443, upstreamPort: 443, allowedHosts: Array.from({ length: 10 }, (_, i) => long(i)) }],
                resolvers: ["10.96.0.10"],
            },
            {
                listeners: Array.from({ length: 20 }, (_, i) => ({
                    listenPort: 20000 + i,
                    upstreamPort: 8000 + i,
                    allowedHosts: ["*.wikipedia.org", "api.example.com"],
                })),
                resolvers: ["10.96.0.10", "10.96.0.11"],
            },
            {
                listeners: [{ listenPort: 10443, upstreamPort: 443, allowedHosts: ["*.example.com"] }],
                resolvers: ["fd00::10", "10.96.0.10"],
                ipv6: true,
            },
        ];
        const dir = await makeTempDir("sni-nginx-t");
        try {
            const info = await nginxBuildInfo();
            for (const [i, o] of edges.entries()) {
                const prefix = path.join(dir, `edge-${i}`);
                fs.mkdirSync(path.join(prefix, "logs"), { recursive: true });
                const conf = path.join(prefix, "nginx.conf");
                fs.writeFileSync(conf, prepareNginxConfig(sniProxyConfig({ ...o, pidFile: path.join(prefix, "nginx.pid") }), prefix, info));
                await checkNginxConfig(prefix, conf);
            }
        } finally {
            await removeTempDir(dir);
        }
    });

    describe("the same generator on loopback", () => {
        describeSniProxy((o: SniProxyConfigInput) => {
            assert.deepEqual(
                o.listeners.flatMap((l) => l.allowedHosts),
                HOSTS,
                "the harness must forward the hosts the stack allows",
            );
            return sniProxyConfig(o);
        });
    });
});
