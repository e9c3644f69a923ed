package egressxds

import (
	"fmt"
	"testing"

	"istio.io/istio/pilot/pkg/simulation"
)

// Every example stack, walked hop by hop through what istiod would push: from a client sidecar
// in an application namespace (never the gateway's), then, for gateway scenarios, from the
// egress gateway to the outside. Cluster names are Envoy's: outbound|<port>|<subset>|<host>.

const gatewayHost = "istio-egressgateway.istio-system.svc.cluster.local"

// gatewayAPIHost is the Service istiod deploys for the Gateway API stacks' Gateway.
const gatewayAPIHost = "istio-egressgateway-istio.istio-system.svc.cluster.local"

// gatewayAPISni is the SNI Istio mTLS carries to a Service without a subset: the gateway's
// listeners take any SNI, and which destination is the Host header's business.
func gatewayAPISni(port int) string {
	return fmt.Sprintf("outbound_.%d_._.%s", port, gatewayAPIHost)
}

func viaGateway(port int, subset string) string {
	return fmt.Sprintf("outbound|%d|%s|%s", port, subset, gatewayHost)
}

func external(port int, host string) string { return fmt.Sprintf("outbound|%d||%s", port, host) }

func httpCall(host string, port int) simulation.Call {
	return simulation.Call{Port: port, Protocol: simulation.HTTP, HostHeader: host}
}

func tlsCall(sni string, port int) simulation.Call {
	return simulation.Call{Port: port, Protocol: simulation.TCP, TLS: simulation.TLS, Sni: sni}
}

func tcpCall(address string, port int) simulation.Call {
	return simulation.Call{Address: address, Port: port, Protocol: simulation.TCP}
}

// myNginx is the seeds' in-cluster "external" server (namespace mesh-external, no sidecar),
// which the origination scenarios reach through the gateway.
var myNginx = []object{{
	"apiVersion": "v1", "kind": "Service",
	"metadata": map[string]any{"name": "my-nginx", "namespace": "mesh-external"},
	"spec": map[string]any{
		"selector": map[string]any{"run": "my-nginx"},
		"ports":    []any{map[string]any{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}},
	},
}, {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": map[string]any{"name": "my-nginx", "namespace": "mesh-external"},
	"spec": map[string]any{
		"selector": map[string]any{"matchLabels": map[string]any{"run": "my-nginx"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"run": "my-nginx"}}},
	},
}}

// gatewayOrigination: S5/S6, the seeds' my-nginx reached through the gateway, which originates
// TLS with the stack's SDS credential and checks the server's SAN.
func gatewayOrigination(stack, title, secondHop, mode string, sds ...string) scenario {
	const host = "my-nginx.mesh-external.svc.cluster.local"
	return scenario{
		stack: stack, title: title, clientNamespaces: []string{"shop"}, fixtures: myNginx,
		hops: []hop{
			{name: "sidecar → egress gateway over Istio mTLS", from: sidecarIn("shop"), call: httpCall(host, 80),
				cluster: viaGateway(443, "nginx"), tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: host}},
			// Only shop's workloads get the organisation's credential presented on their behalf.
			{name: secondHop, from: egressGateway, chained: true, call: httpCall(host, 0),
				cluster: external(443, host), tls: &upstreamTLS{mode: mode, sni: host, sds: sds, sans: []string{host}},
				denied: []string{"other/default", "mesh-external/default"}},
			// The origination rule is the gateway's alone: a sidecar going straight to the server
			// gets no credential of the organisation's (its cluster has none of the SDS secrets).
			{name: "sidecar straight to my-nginx:443 presents no credential", from: sidecarIn("shop"), call: tlsCall(host, 443),
				toService: "my-nginx.mesh-external", cluster: external(443, host), tls: &upstreamTLS{mode: "AUTO"}},
		},
	}
}

// inventory: an in-mesh service in a namespace the registry-only namespaces do not import.
var inventory = []object{{
	"apiVersion": "v1", "kind": "Service",
	"metadata": map[string]any{"name": "inventory", "namespace": "warehouse"},
	"spec": map[string]any{
		"selector": map[string]any{"app": "inventory"},
		"ports":    []any{map[string]any{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}},
	},
}}

func scenarios() []scenario {
	return []scenario{
		{
			stack: "s01-gateway", title: "S1 egress gateway install", clientNamespaces: []string{"shop"},
			hops: []hop{{
				name: "sidecar → the gateway Service", from: sidecarIn("shop"),
				call: httpCall(gatewayHost, 80), cluster: external(80, gatewayHost),
			}},
			extra: checkS1Chart,
		},
		{
			stack: "s02-http-gateway", title: "S2 HTTP via the egress gateway", clientNamespaces: []string{"shop", "other"},
			hops: []hop{
				{name: "sidecar → egress gateway", from: sidecarIn("shop"), call: httpCall("edition.cnn.com", 80), cluster: viaGateway(80, "cnn"),
					tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: "edition.cnn.com"}},
				{name: "egress gateway → edition.cnn.com", from: egressGateway, chained: true, call: httpCall("edition.cnn.com", 0),
					cluster: external(80, "edition.cnn.com"), tls: &upstreamTLS{mode: "NONE"},
					alsoAllowed: []string{"shop/checkout"}, denied: []string{"other/default", "istio-system/default"}},
				{name: "sidecar in a namespace that may not use it gets no route to it", from: sidecarIn("other"), call: httpCall("edition.cnn.com", 80), cluster: "PassthroughCluster"},
			},
		},
		{
			stack: "s03-https-passthrough", title: "S3 HTTPS via the egress gateway, one service account allowed", clientNamespaces: []string{"shop"},
			hops: []hop{
				{name: "sidecar → egress gateway (the app's TLS inside Istio mTLS)", from: sidecarAs("shop", "checkout"), call: tlsCall("edition.cnn.com", 443), cluster: viaGateway(443, "cnn"),
					tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: "edition.cnn.com"}},
				{name: "egress gateway → edition.cnn.com (the app's TLS forwarded)", from: egressGateway, chained: true, call: tlsCall("edition.cnn.com", 0),
					cluster: external(443, "edition.cnn.com"), tls: &upstreamTLS{mode: "NONE"},
					denied: []string{"shop/default", "other/checkout"}},
			},
		},
		{
			stack: "s04-sidecar-origination", title: "S4 TLS origination at the sidecar", clientNamespaces: []string{"shop"},
			hops: []hop{{
				name: "sidecar → edition.cnn.com:443 over TLS", from: sidecarIn("shop"), call: httpCall("edition.cnn.com", 80),
				// No credentialName: the server is verified against the proxy's system roots.
				cluster: external(80, "edition.cnn.com"), tls: &upstreamTLS{mode: "SIMPLE", sni: "edition.cnn.com", sds: []string{"file-root:system"}}, port: 443,
			}},
		},
		// Istio appends "-cacert" to a SIMPLE credentialName; its SDS server strips one suffix
		// when no Secret has the doubled name, and finds client-credential-cacert.
		gatewayOrigination("s05-gateway-simple-origination", "S5 TLS origination at the egress gateway (SIMPLE)",
			"egress gateway → my-nginx over TLS", "SIMPLE", "kubernetes://client-credential-cacert-cacert"),
		gatewayOrigination("s06-gateway-mutual-origination", "S6 mutual TLS origination at the egress gateway",
			"egress gateway → my-nginx over mutual TLS", "MUTUAL", "kubernetes://client-credential", "kubernetes://client-credential-cacert"),
		{
			stack: "s02-http-gateway-api", title: "S2 with the Gateway API: HTTP via a gateway istiod deploys", clientNamespaces: []string{"shop", "other"},
			hops: []hop{
				{name: "sidecar → gateway Service over Istio mTLS (HTTPRoute on the ServiceEntry)", from: sidecarIn("shop"), call: httpCall("edition.cnn.com", 80),
					cluster: external(80, gatewayAPIHost), tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: gatewayAPISni(80)}},
				{name: "gateway → edition.cnn.com (HTTPRoute on the listener, backendRef Hostname)", from: egressGateway, chained: true, call: httpCall("edition.cnn.com", 0),
					cluster: external(80, "edition.cnn.com"), tls: &upstreamTLS{mode: "NONE"},
					alsoAllowed: []string{"shop/checkout"}, denied: []string{"other/default", "istio-system/default"}},
				{name: "sidecar in a namespace that may not use it gets no route to it", from: sidecarIn("other"), call: httpCall("edition.cnn.com", 80), cluster: "PassthroughCluster"},
			},
		},
		{
			stack: "s05-origination-gateway-api", title: "S5 with the Gateway API: TLS origination (SIMPLE) at a gateway istiod deploys", clientNamespaces: []string{"shop"},
			hops: []hop{
				{name: "sidecar → gateway Service :443 over Istio mTLS", from: sidecarAs("shop", "checkout"), call: httpCall("edition.cnn.com", 80),
					cluster: external(443, gatewayAPIHost), tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: gatewayAPISni(443)}},
				{name: "gateway → edition.cnn.com:443 over TLS (system roots)", from: egressGateway, chained: true, call: httpCall("edition.cnn.com", 0),
					cluster: external(443, "edition.cnn.com"), tls: &upstreamTLS{mode: "SIMPLE", sni: "edition.cnn.com", sds: []string{"file-root:system"}},
					denied: []string{"shop/default", "other/checkout"}},
			},
		},
		{
			stack: "s06-mutual-origination-gateway-api", title: "S6 with the Gateway API: mutual TLS origination at a gateway istiod deploys", clientNamespaces: []string{"shop"},
			hops: []hop{
				{name: "sidecar → gateway Service :443 over Istio mTLS", from: sidecarIn("shop"), call: httpCall("api.partner.example.com", 80),
					cluster: external(443, gatewayAPIHost), tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: gatewayAPISni(443)}},
				{name: "gateway → api.partner.example.com:443 over mutual TLS", from: egressGateway, chained: true, call: httpCall("api.partner.example.com", 0),
					cluster: external(443, "api.partner.example.com"),
					tls:     &upstreamTLS{mode: "MUTUAL", sni: "api.partner.example.com", sds: []string{"kubernetes://partner-client", "kubernetes://partner-client-cacert"}, sans: []string{"api.partner.example.com"}},
					denied:  []string{"other/default"}},
			},
		},
		{
			stack: "s14-network-policies-gateway-api", title: "S14 with the Gateway API: the fenced namespace through a gateway istiod deploys", clientNamespaces: []string{"test-egress", "shop"},
			hops: []hop{
				{name: "sidecar → gateway Service over Istio mTLS", from: sidecarIn("test-egress"), call: httpCall("edition.cnn.com", 80),
					cluster: external(80, gatewayAPIHost), tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: gatewayAPISni(80)}},
				{name: "gateway → edition.cnn.com", from: egressGateway, chained: true, call: httpCall("edition.cnn.com", 0),
					cluster: external(80, "edition.cnn.com"), tls: &upstreamTLS{mode: "NONE"}, denied: []string{"shop/default"}},
			},
		},
		{
			stack: "s09-wildcard-serving-host", title: "S9 wildcard hosts, one serving host", clientNamespaces: []string{"shop"},
			hops: []hop{
				{name: "sidecar → egress gateway (en.wikipedia.org by SNI)", from: sidecarIn("shop"), call: tlsCall("en.wikipedia.org", 443), cluster: viaGateway(443, "wikipedia"),
					tls: &upstreamTLS{mode: "ISTIO_MUTUAL", sni: "istio-egress.wikipedia.org"}},
				{name: "egress gateway → www.wikipedia.org", from: egressGateway, chained: true, call: tlsCall("en.wikipedia.org", 0), cluster: external(443, "www.wikipedia.org"),
					denied: []string{"other/default"}},
			},
		},
		{
			stack: "s10-sni-proxy", title: "S10 wildcard hosts, arbitrary domains, through the SNI proxy", clientNamespaces: []string{"shop"},
			hops: []hop{
				{name: "sidecar → egress gateway (en.wikipedia.org by SNI)", from: sidecarIn("shop"), call: tlsCall("en.wikipedia.org", 443), cluster: viaGateway(443, "wikipedia-any")},
				{name: "egress gateway → SNI proxy :443", from: egressGateway, chained: true, call: tlsCall("en.wikipedia.org", 0),
					cluster: external(443, "egress-sni-proxy.istio-system.svc.cluster.local"), tls: &upstreamTLS{mode: "NONE"}, denied: []string{"other/default"}},
				{name: "sidecar → egress gateway :9443 (api.partner.example.com by SNI)", from: sidecarAs("shop", "partner-sync"), call: tlsCall("api.partner.example.com", 9443), cluster: viaGateway(9443, "partner-tls-9443")},
				{name: "egress gateway → SNI proxy, still :9443", from: egressGateway, chained: true, call: tlsCall("api.partner.example.com", 0),
					cluster: external(9443, "egress-sni-proxy.istio-system.svc.cluster.local"), tls: &upstreamTLS{mode: "NONE"}, denied: []string{"shop/default"}},
			},
		},
		{
			stack: "s11-kubernetes-services", title: "S11 Kubernetes Services for egress", clientNamespaces: []string{"default"},
			hops: []hop{
				{name: "sidecar → my-httpbin (ExternalName alias of httpbin.org)", from: sidecarIn("default"), call: httpCall("my-httpbin.default.svc.cluster.local", 80),
					cluster: external(80, "httpbin.org"), tls: &upstreamTLS{mode: "NONE"}},
				{name: "sidecar → my-google (ExternalName with TLS origination)", from: sidecarIn("default"), call: httpCall("my-google.default.svc.cluster.local", 80),
					cluster: external(80, "www.google.com"), tls: &upstreamTLS{mode: "SIMPLE", sni: "www.google.com", sds: []string{"file-root:system"}}, port: 443},
				{name: "sidecar → my-wikipedia (selector-less Service, TLS passthrough)", from: sidecarIn("default"), call: tlsCall("www.wikipedia.org", 443), toService: "my-wikipedia.default",
					cluster: external(443, "my-wikipedia.default.svc.cluster.local"), tls: &upstreamTLS{mode: "NONE"}},
			},
		},
		{
			stack: "s12-external-proxy", title: "S12 external legacy HTTPS proxy", clientNamespaces: []string{"default"},
			hops: []hop{{name: "sidecar → company proxy 10.20.30.40:3128 (TCP)", from: sidecarIn("default"), call: tcpCall("10.20.30.40", 3128),
				cluster: external(3128, "my-company-proxy.com")}},
		},
		{
			stack: "s13-forward-proxy", title: "S13 nginx forward-proxy routing", clientNamespaces: []string{"default"},
			hops: []hop{
				{name: "sidecar → HTTP forward proxy :8080 (www.qq.com)", from: sidecarIn("default"), call: httpCall("www.qq.com", 80),
					cluster: external(8080, "nginx-proxy-http.default.svc.cluster.local")},
				{name: "sidecar → SNI proxy :8443 (www.qq.com by SNI)", from: sidecarIn("default"), call: tlsCall("www.qq.com", 443),
					cluster: external(8443, "nginx-proxy-https.default.svc.cluster.local")},
			},
		},
		{
			stack: "s14-network-policies", title: "S14 bypass prevention, routes exported to the fenced namespace only", clientNamespaces: []string{"test-egress", "shop"},
			hops: []hop{
				{name: "sidecar → egress gateway (by SNI)", from: sidecarIn("test-egress"), call: tlsCall("edition.cnn.com", 443), cluster: viaGateway(443, "cnn")},
				{name: "egress gateway → edition.cnn.com", from: egressGateway, chained: true, call: tlsCall("edition.cnn.com", 0), cluster: external(443, "edition.cnn.com"),
					alsoAllowed: []string{"test-egress/batch"}, denied: []string{"shop/default"}},
				{name: "sidecar in a namespace the routes are not exported to gets none of them", from: sidecarIn("shop"), call: tlsCall("edition.cnn.com", 443), cluster: "PassthroughCluster"},
			},
		},
		{
			stack: "s15-registry-only", title: "S15 registry-only outbound", clientNamespaces: []string{"payments", "shop", "other"}, fixtures: inventory,
			hops: []hop{
				{name: "payments sidecar → api.stripe.com (registered, DIRECT)", from: sidecarIn("payments"), call: tlsCall("api.stripe.com", 443), cluster: external(443, "api.stripe.com")},
				{name: "payments sidecar → unregistered host is a black hole", from: sidecarIn("payments"), call: tlsCall("www.example.org", 443), cluster: "BlackHoleCluster"},
				{name: "shop sidecar → unregistered host is a black hole", from: sidecarIn("shop"), call: httpCall("www.example.org", 80), cluster: "BlackHoleCluster"},
				{name: "shop sidecar → api.stripe.com, which only payments may use, is a black hole", from: sidecarIn("shop"), call: tlsCall("api.stripe.com", 443), cluster: "BlackHoleCluster"},
				{name: "registry-only sidecar does not see services of namespaces it does not import", from: sidecarIn("shop"), call: httpCall("inventory.warehouse.svc.cluster.local", 80),
					toService: "inventory.warehouse", cluster: "BlackHoleCluster"},
				{name: "sidecar outside the listed namespaces sees them", from: sidecarIn("other"), call: httpCall("inventory.warehouse.svc.cluster.local", 80),
					toService: "inventory.warehouse", cluster: external(80, "inventory.warehouse.svc.cluster.local")},
				{name: "sidecar outside the listed namespaces keeps the mesh default", from: sidecarIn("other"), call: tlsCall("www.example.org", 443), cluster: "PassthroughCluster"},
			},
		},
	}
}

func scenarioFor(t *testing.T, stack string) scenario {
	t.Helper()
	for _, sc := range scenarios() {
		if sc.stack == stack {
			return sc
		}
	}
	t.Fatalf("no scenario for %s", stack)
	return scenario{}
}

func TestEveryExampleStackHasASimulatedScenario(t *testing.T) {
	rendered, err := loadRendered(inputsDir())
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	// Ambient stacks: their waypoint's configuration (TestAmbientWaypoints).
	for _, c := range waypointCases() {
		known[c.stack] = true
	}
	for _, sc := range scenarios() {
		known[sc.stack] = true
		if rendered[sc.stack] == nil {
			t.Errorf("scenario %s: no rendered stack %s", sc.title, sc.stack)
		}
	}
	for _, name := range sortedKeys(rendered) {
		if !known[name] {
			t.Errorf("stack %s has no simulation scenario: add one to scenarios()", name)
		}
	}
}

// forEachScenarioWorld runs f in a subtest per scenario, on a fresh world of its rendered stack.
func forEachScenarioWorld(t *testing.T, f func(t *testing.T, sc scenario, w *world)) {
	rendered, err := loadRendered(inputsDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios() {
		t.Run(sc.stack, func(t *testing.T) {
			r := rendered[sc.stack]
			if r == nil {
				t.Skipf("not rendered (reported by TestEveryExampleStackHasASimulatedScenario)")
			}
			w, err := buildWorld(r, sc.fixtures, sc.clientNamespaces)
			if err != nil {
				t.Fatal(err)
			}
			f(t, sc, w)
		})
	}
}

func TestScenarios(t *testing.T) {
	forEachScenarioWorld(t, func(t *testing.T, sc scenario, w *world) {
		s := startWorld(t, w)
		for _, p := range s.run(sc) {
			t.Error(p)
		}
		for _, p := range s.paths {
			t.Log(p)
		}
		s.validate(t)
	})
}
