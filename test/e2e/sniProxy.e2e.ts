import { strict as assert } from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { sniProxyConfig } from "../../proxy/sniProxyConfig";
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
        assert.equal(deployed, sniProxyConfig({
            listeners: [
                { listenPort: 10443, upstreamPort: 443, allowedHosts: [HOSTS[0] as string] },
                { listenPort: 9443, upstreamPort: 9443, allowedHosts: [HOSTS[1] as string] },
            ],
            resolvers,
            ipv6: false,
        }));
    });

    describe("the same generator on loopback", () => {
        describeSniProxy((o: SniProxyConfigInput) => {
            assert.deepEqual(o.listeners.flatMap((l) => l.allowedHosts), HOSTS, "the harness must forward the hosts the stack allows");
            return sniProxyConfig(o);
        });
    });
});
