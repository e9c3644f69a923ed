package egressxds

import (
	"strings"
	"testing"
)

// Negative controls: each breaks one stack's objects the way a plausible bug would, and the
// scenario checks must then fail with a message naming the scenario and the hop. A control that
// passes would mean the check above cannot see that class of defect.

type control struct {
	name   string
	stack  string
	hop    string // a hop (by name) whose failure the control must cause
	mutate func(t *testing.T, w *world)
}

func controls() []control {
	return []control{
		{
			name: "the mesh route names a subset the gateway DestinationRule lacks", stack: "s02-http-gateway", hop: "sidecar → egress gateway",
			mutate: func(t *testing.T, w *world) {
				vs := only(t, w, "VirtualService", "cnn")
				route := list(vs, "spec", "http")[0].(map[string]any)["route"].([]any)[0].(map[string]any)
				route["destination"].(map[string]any)["subset"] = "cnn-typo"
			},
		},
		{
			name: "the Gateway selects no pod", stack: "s02-http-gateway", hop: "egress gateway → edition.cnn.com",
			mutate: func(t *testing.T, w *world) {
				gw := only(t, w, "Gateway", "istio-egressgateway")
				gw["spec"].(map[string]any)["selector"] = map[string]any{"istio": "no-such-gateway"}
			},
		},
		{
			// What the package wrote before this suite found it: exportTo without the gateway's own namespace.
			name: "exportTo hides the second hop from the gateway's namespace", stack: "s14-network-policies", hop: "egress gateway → edition.cnn.com",
			mutate: func(t *testing.T, w *world) {
				for _, kind := range []string{"VirtualService", "ServiceEntry"} {
					only(t, w, kind, "cnn")["spec"].(map[string]any)["exportTo"] = []any{"test-egress"}
				}
			},
		},
		{
			name: "the same host twice on one gateway port (passthrough beside origination)", stack: "s05-gateway-simple-origination", hop: "egress gateway → my-nginx over TLS",
			mutate: func(t *testing.T, w *world) {
				gw := only(t, w, "Gateway", "istio-egressgateway")
				dup := object{
					"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
					"metadata": map[string]any{"name": "aaa-passthrough", "namespace": namespaceOf(gw), "creationTimestamp": "2020-01-01T00:00:00Z"},
					"spec": map[string]any{
						"selector": deepCopy(get(gw, "spec", "selector")),
						"servers": []any{map[string]any{
							"port":  map[string]any{"number": 443, "name": "tls-443", "protocol": "TLS"},
							"hosts": []any{"my-nginx.mesh-external.svc.cluster.local"},
							"tls":   map[string]any{"mode": "PASSTHROUGH"},
						}},
					},
				}
				w.istio = append(w.istio, dup)
			},
		},
		{
			name: "origination DestinationRule naming another credential", stack: "s06-gateway-mutual-origination", hop: "egress gateway → my-nginx over mutual TLS",
			mutate: func(t *testing.T, w *world) {
				dr := only(t, w, "DestinationRule", "nginx")
				settings := list(dr, "spec", "trafficPolicy", "portLevelSettings")[0].(map[string]any)["tls"].(map[string]any)
				settings["credentialName"] = "someone-elses-credential"
			},
		},
		{
			name: "a destination's AuthorizationPolicy widened to any namespace", stack: "s02-http-gateway", hop: "egress gateway → edition.cnn.com",
			mutate: func(t *testing.T, w *world) {
				rule := list(only(t, w, "AuthorizationPolicy", "cnn"), "spec", "rules")[0].(map[string]any)
				rule["from"] = []any{map[string]any{"source": map[string]any{"principals": []any{"*"}}}}
			},
		},
		{
			name: "no AuthorizationPolicy at the gateway at all", stack: "s03-https-passthrough", hop: "egress gateway → edition.cnn.com (the app's TLS forwarded)",
			mutate: func(t *testing.T, w *world) {
				removeIstio(t, w, func(o object) bool { return kindOf(o) == "AuthorizationPolicy" })
			},
		},
		{
			name: "the gateway server accepts plaintext (PASSTHROUGH, as before access control)", stack: "s03-https-passthrough", hop: "egress gateway → edition.cnn.com (the app's TLS forwarded)",
			mutate: func(t *testing.T, w *world) {
				server := list(only(t, w, "Gateway", "istio-egressgateway"), "spec", "servers")[0].(map[string]any)
				server["tls"] = map[string]any{"mode": "PASSTHROUGH"}
				subset := list(only(t, w, "DestinationRule", "istio-egressgateway"), "spec", "subsets")[0].(map[string]any)
				delete(subset, "trafficPolicy")
			},
		},
		{
			name: "a destination's routes exported to every namespace", stack: "s02-http-gateway", hop: "sidecar in a namespace that may not use it gets no route to it",
			mutate: func(t *testing.T, w *world) {
				for _, kind := range []string{"VirtualService", "ServiceEntry"} {
					delete(only(t, w, kind, "cnn")["spec"].(map[string]any), "exportTo")
				}
				delete(only(t, w, "DestinationRule", "istio-egressgateway")["spec"].(map[string]any), "exportTo")
			},
		},
		{
			// The seeds create such a rule; the proxy has no sidecar and would refuse Istio mTLS.
			name: "a mesh-wide ISTIO_MUTUAL DestinationRule, and no DISABLE rule for the SNI proxy", stack: "s10-sni-proxy", hop: "egress gateway → SNI proxy :443",
			mutate: func(t *testing.T, w *world) {
				removeIstio(t, w, func(o object) bool { return kindOf(o) == "DestinationRule" && nameOf(o) == "egress-sni-proxy" })
				w.istio = append(w.istio, object{
					"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
					"metadata": map[string]any{"name": "mesh-wide-mtls", "namespace": "istio-system"},
					"spec":     map[string]any{"host": "*.local", "trafficPolicy": map[string]any{"tls": map[string]any{"mode": "ISTIO_MUTUAL"}}},
				})
			},
		},
		{
			name: "the origination rule exported to every sidecar", stack: "s06-gateway-mutual-origination", hop: "sidecar straight to my-nginx:443 presents no credential",
			mutate: func(t *testing.T, w *world) {
				spec := only(t, w, "DestinationRule", "nginx")["spec"].(map[string]any)
				delete(spec, "workloadSelector")
				delete(spec, "exportTo")
			},
		},
		{
			name: "no Telemetry for the gateway", stack: "s02-http-gateway", hop: "egress gateway → edition.cnn.com",
			mutate: func(t *testing.T, w *world) {
				removeIstio(t, w, func(o object) bool { return kindOf(o) == "Telemetry" })
			},
		},
		{
			// The defect found by this suite: before Istio 1.21 the Service alone made a cluster.
			name: "an ExternalName Service without the ServiceEntry of its external name", stack: "s11-kubernetes-services", hop: "sidecar → my-httpbin (ExternalName alias of httpbin.org)",
			mutate: func(t *testing.T, w *world) {
				removeIstio(t, w, func(o object) bool { return kindOf(o) == "ServiceEntry" && nameOf(o) == "my-httpbin" })
			},
		},
		{
			// istiod's gateway pods carry no tlsMode label: without the rule, auto mTLS sends plaintext.
			name: "Gateway API: no ISTIO_MUTUAL DestinationRule for the gateway Service", stack: "s02-http-gateway-api",
			hop: "sidecar → gateway Service over Istio mTLS (HTTPRoute on the ServiceEntry)",
			mutate: func(t *testing.T, w *world) {
				removeIstio(t, w, func(o object) bool { return kindOf(o) == "DestinationRule" && nameOf(o) == "istio-egressgateway" })
			},
		},
		{
			name: "Gateway API: the listener terminates plain TLS (ISTIO_SIMPLE), not Istio mTLS", stack: "s02-http-gateway-api",
			hop: "gateway → edition.cnn.com (HTTPRoute on the listener, backendRef Hostname)",
			mutate: func(t *testing.T, w *world) {
				for _, l := range list(only(t, w, "Gateway", "istio-egressgateway"), "spec", "listeners") {
					l.(map[string]any)["tls"].(map[string]any)["options"] = map[string]any{"gateway.istio.io/tls-terminate-mode": "ISTIO_SIMPLE"}
				}
			},
		},
		{
			name: "Gateway API: the gateway's route attaches to a listener that does not exist", stack: "s05-origination-gateway-api",
			hop: "gateway → edition.cnn.com:443 over TLS (system roots)",
			mutate: func(t *testing.T, w *world) {
				parent := list(only(t, w, "HTTPRoute", "cnn-gateway"), "spec", "parentRefs")[0].(map[string]any)
				parent["sectionName"] = "port-8443"
			},
		},
		{
			name: "Gateway API: a destination's AuthorizationPolicy widened to any namespace", stack: "s06-mutual-origination-gateway-api",
			hop: "gateway → api.partner.example.com:443 over mutual TLS",
			mutate: func(t *testing.T, w *world) {
				rule := list(only(t, w, "AuthorizationPolicy", "partner"), "spec", "rules")[0].(map[string]any)
				rule["from"] = []any{map[string]any{"source": map[string]any{"principals": []any{"*"}}}}
			},
		},
		{
			name: "a namespace without the registry-only Sidecar", stack: "s15-registry-only", hop: "payments sidecar → unregistered host is a black hole",
			mutate: func(t *testing.T, w *world) {
				removeIstio(t, w, func(o object) bool { return kindOf(o) == "Sidecar" && namespaceOf(o) == "payments" })
			},
		},
	}
}

// removeIstio drops the Istio objects a control names, failing when there is none to drop.
func removeIstio(t *testing.T, w *world, drop func(object) bool) {
	t.Helper()
	var kept []object
	for _, o := range w.istio {
		if !drop(o) {
			kept = append(kept, o)
		}
	}
	if len(kept) == len(w.istio) {
		t.Fatalf("control removes nothing from %s", w.stack)
	}
	w.istio = kept
}

func only(t *testing.T, w *world, kind, name string) object {
	t.Helper()
	found := w.find(kind, name)
	if len(found) != 1 {
		t.Fatalf("control needs exactly one %s %s in %s, found %d", kind, name, w.stack, len(found))
	}
	return found[0]
}

func TestNegativeControlsFail(t *testing.T) {
	rendered, err := loadRendered(inputsDir())
	if err != nil {
		t.Fatal(err)
	}
	byStack := map[string]scenario{}
	for _, sc := range scenarios() {
		byStack[sc.stack] = sc
	}
	for _, c := range controls() {
		t.Run(c.name, func(t *testing.T) {
			sc, r := byStack[c.stack], rendered[c.stack]
			if r == nil {
				t.Fatalf("no rendered stack %s", c.stack)
			}
			w, err := buildWorld(r, sc.fixtures, sc.clientNamespaces)
			if err != nil {
				t.Fatal(err)
			}
			c.mutate(t, w)
			problems := startWorld(t, w).run(sc)
			want := `hop "` + c.hop + `"`
			for _, p := range problems {
				if strings.Contains(p, sc.title) && strings.Contains(p, want) {
					t.Logf("fails as intended: %s", p)
					return
				}
			}
			t.Errorf("control %q did not make %s fail at %s; problems: %q", c.name, sc.title, want, problems)
		})
	}
}
