package egressxds

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"

	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/test"
)

// Ambient mode: the waypoint's configuration as istiod generates it. ztunnel is not part of
// istiod (it is a Rust program fed over its own xDS type), so no call is walked from a client:
// what runs is Istio's config generator for the waypoint proxy (model.Waypoint), the way
// Istio's own waypoint tests do it (pilot/pkg/xds/waypoint_test.go): every object both as
// config and in the cluster, the waypoint's Service and pod as istiod's deployment controller
// renders them for a Gateway of class istio-waypoint.

// ambientWorld places a rendered ambient stack: its objects, the waypoint istiod would deploy,
// and the client namespaces enrolled in ambient mode.
func ambientWorld(t *testing.T, r *renderedStack, clientNamespaces []string) (*world, object) {
	t.Helper()
	w := &world{stack: r.Stack}
	var waypoint object
	namespaces := map[string]bool{}
	namespaceLabels := map[string]map[string]string{} // of the namespaces the stack creates
	for _, o := range r.Objects {
		o = deepCopy(o)
		if isIstioConfig(o) {
			w.istio = append(w.istio, o)
		}
		if kindOf(o) == "Namespace" {
			namespaceLabels[nameOf(o)] = stringMap(get(o, "metadata", "labels"))
			continue
		}
		if kindOf(o) == "Secret" {
			continue
		}
		namespaces[namespaceOf(o)] = true
		w.kube = append(w.kube, deepCopy(o))
		if kindOf(o) == "Gateway" && str(o, "spec", "gatewayClassName") == "istio-waypoint" {
			waypoint = o
		}
	}
	if waypoint == nil {
		t.Fatalf("%s has no Gateway of class istio-waypoint", r.Stack)
	}
	name, ns := nameOf(waypoint), namespaceOf(waypoint)
	// The address istiod's gateway controller writes once it has deployed the waypoint: how the
	// ambient index finds a waypoint by name.
	for _, o := range w.kube {
		if kindOf(o) == "Gateway" && nameOf(o) == name && namespaceOf(o) == ns {
			o["status"] = map[string]any{"addresses": []any{map[string]any{"type": "Hostname", "value": name + "." + ns + ".svc.cluster.local"}}}
		}
	}
	labels := map[string]string{
		"gateway.networking.k8s.io/gateway-name":       name,
		"gateway.networking.k8s.io/gateway-class-name": "istio-waypoint",
		"gateway.istio.io/managed":                     "istio.io-mesh-controller",
		"istio.io/dataplane-mode":                      "none",
		"sidecar.istio.io/inject":                      "false",
	}
	ips := newAllocator()
	svc := object{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{
			"gateway.networking.k8s.io/gateway-name": name, "gateway.istio.io/managed": "istio.io-mesh-controller",
		}},
		"spec": map[string]any{
			"type": "ClusterIP", "clusterIP": ips.service(),
			"ports":    []any{map[string]any{"name": "mesh", "port": 15008, "targetPort": 15008, "protocol": "TCP", "appProtocol": "hbone"}},
			"selector": map[string]any{"gateway.networking.k8s.io/gateway-name": name},
		},
	}
	ip := ips.pod()
	w.kube = append(w.kube, svc, pod(name+"-0", ns, ip, name, labels), endpointSlice(svc, []string{ip}))
	w.gateways = append(w.gateways, gatewayPod{name: name + "-0", namespace: ns, ip: ip, serviceAccount: name, labels: labels})
	for _, n := range clientNamespaces {
		namespaces[n] = true
	}
	for _, n := range sortedKeys(namespaces) {
		labels := map[string]any{"kubernetes.io/metadata.name": n, "istio.io/dataplane-mode": "ambient"}
		for k, v := range namespaceLabels[n] {
			labels[k] = v
		}
		w.kube = append(w.kube, object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": n, "labels": labels}})
	}
	return w, waypoint
}

// waypointSim generates the waypoint's configuration.
func waypointSim(t *testing.T, w *world) *simulation.Simulation {
	t.Helper()
	test.SetForTest(t, &features.EnableAmbient, true)
	s := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:           yamlStream(w.istio),
		KubernetesObjectString: yamlStream(w.kube),
	})
	return simulation.NewSimulation(t, s, s.SetupProxy(w.gateways[0].proxy(model.Waypoint)))
}

// waypointCase: what one ambient stack's waypoint must do for one destination.
type waypointCase struct {
	stack, title string
	chain        string      // the waypoint's inbound-vip filter chain (and cluster) for the destination
	tls          upstreamTLS // the cluster's upstream TLS to the external host
	port         int         // the external host's port its endpoints use
	allowed      []string    // callers ("namespace/serviceaccount") the waypoint lets out
	denied       []string    // and those it refuses
}

func waypointCases() []waypointCase {
	return []waypointCase{
		{stack: "s02-http-ambient", title: "S2 in ambient: HTTP to edition.cnn.com through the waypoint",
			chain: "inbound-vip|80|http|edition.cnn.com", tls: upstreamTLS{mode: "NONE"}, port: 80,
			allowed: []string{"shop/default", "shop/checkout"}, denied: []string{"other/default", "istio-egress/default"}},
		{stack: "s03-https-passthrough-ambient", title: "S3 in ambient: the app's TLS through the waypoint, one identity",
			chain: "inbound-vip|443|tcp|edition.cnn.com", tls: upstreamTLS{mode: "NONE"}, port: 443,
			allowed: []string{"shop/checkout"}, denied: []string{"shop/default", "other/checkout"}},
		{stack: "s06-mutual-origination-ambient", title: "S6 in ambient: mutual TLS originated at the waypoint",
			chain: "inbound-vip|80|http|api.partner.example.com", port: 443,
			tls:     upstreamTLS{mode: "MUTUAL", sni: "api.partner.example.com", sds: []string{"kubernetes://partner-client", "kubernetes://partner-client-cacert"}, sans: []string{"api.partner.example.com"}},
			allowed: []string{"shop/default"}, denied: []string{"other/default"}},
		{stack: "s05-origination-ambient", title: "S5 in ambient: TLS originated at the waypoint (SIMPLE, system roots)",
			chain: "inbound-vip|80|http|edition.cnn.com", port: 443,
			tls:     upstreamTLS{mode: "SIMPLE", sni: "edition.cnn.com", sds: []string{"file-root:system"}},
			allowed: []string{"shop/checkout"}, denied: []string{"shop/default", "other/checkout"}},
		{stack: "s14-network-policies-ambient", title: "S14 in ambient: the fenced namespace through the waypoint",
			chain: "inbound-vip|443|tcp|edition.cnn.com", tls: upstreamTLS{mode: "NONE"}, port: 443,
			allowed: []string{"test-egress/default"}, denied: []string{"shop/default"}},
	}
}

// checkWaypoint: the waypoint takes the destination (a filter chain and cluster of its own),
// goes out to the host with the expected TLS and port, and its RBAC lets exactly the allowed
// callers through. Problems name the case.
func checkWaypoint(t *testing.T, c waypointCase, sim *simulation.Simulation) []string {
	var problems []string
	fail := func(format string, a ...any) {
		problems = append(problems, fmt.Sprintf("%s (%s): ", c.stack, c.title)+fmt.Sprintf(format, a...))
	}
	var cl *cluster.Cluster
	for _, x := range sim.Clusters {
		if x.Name == c.chain {
			cl = x
		}
	}
	if cl == nil {
		fail("the waypoint has no cluster %s", c.chain)
	} else {
		if got := clusterTLS(t, cl); !reflect.DeepEqual(got, c.tls) {
			fail("cluster %s upstream TLS is %v, want %v", c.chain, got, c.tls)
		}
		if ports := endpointPorts(cl); len(ports) == 0 || ports[0] != c.port {
			fail("cluster %s endpoints use ports %v, want %d", c.chain, ports, c.port)
		}
	}
	var chain *listener.FilterChain
	for _, l := range sim.Listeners {
		if l.Name != "main_internal" {
			continue
		}
		for _, fc := range l.GetFilterChains() {
			if fc.GetName() == c.chain {
				chain = fc
			}
		}
	}
	if chain == nil {
		return append(problems, fmt.Sprintf("%s (%s): the waypoint's main_internal listener has no filter chain %s", c.stack, c.title, c.chain))
	}
	rules, err := rbacRules(chain)
	if err != nil {
		return append(problems, err.Error())
	}
	if len(rules) == 0 {
		fail("filter chain %s has no RBAC: anyone who reaches the waypoint leaves", c.chain)
	}
	for _, who := range append(append([]string{}, c.allowed...), c.denied...) {
		want := slices.Contains(c.allowed, who)
		ok, err := rbacAllows(rules, rbacRequest{principal: identityOf(who), port: c.port})
		if err != nil {
			fail("RBAC of %s for %s: %v", c.chain, who, err)
		} else if ok != want {
			fail("the waypoint's RBAC on %s lets %s through: %v, want %v", c.chain, who, ok, want)
		}
	}
	return problems
}

func ambientSim(t *testing.T, stack string, mutate func(*world)) (*simulation.Simulation, waypointCase) {
	sim, c, _ := ambientSimWorld(t, stack, mutate)
	return sim, c
}

func ambientSimWorld(t *testing.T, stack string, mutate func(*world)) (*simulation.Simulation, waypointCase, *world) {
	t.Helper()
	rendered, err := loadRendered(inputsDir())
	if err != nil {
		t.Fatal(err)
	}
	var c waypointCase
	for _, x := range waypointCases() {
		if x.stack == stack {
			c = x
		}
	}
	r := rendered[stack]
	if r == nil || c.stack == "" {
		t.Fatalf("no rendered stack or case %s", stack)
	}
	w, _ := ambientWorld(t, r, []string{"shop", "other"})
	if mutate != nil {
		mutate(w)
	}
	return waypointSim(t, w), c, w
}

func TestAmbientWaypoints(t *testing.T) {
	for _, c := range waypointCases() {
		t.Run(c.stack, func(t *testing.T) {
			sim, _, w := ambientSimWorld(t, c.stack, nil)
			for _, p := range checkWaypoint(t, c, sim) {
				t.Error(p)
			}
			for _, m := range analyze(t, w.everything()) {
				t.Errorf("%s: istio analyzer: %s", c.stack, m)
			}
			// Istio's listener validator expects socket addresses; a waypoint's listeners are internal.
			xdstest.ValidateClusters(t, sim.Clusters)
		})
	}
}

// dropEverywhere removes an object (by kind and name) from both halves of a world.
func dropEverywhere(w *world, kind, name string) {
	keep := func(os []object) []object {
		var out []object
		for _, o := range os {
			if kindOf(o) != kind || nameOf(o) != name {
				out = append(out, o)
			}
		}
		return out
	}
	w.istio, w.kube = keep(w.istio), keep(w.kube)
}

// eachCopy applies f to every copy of an object (config and cluster halves).
func eachCopy(w *world, kind, name string, f func(object)) int {
	n := 0
	for _, o := range append(append([]object{}, w.istio...), w.kube...) {
		if kindOf(o) == kind && nameOf(o) == name {
			f(o)
			n++
		}
	}
	return n
}

func TestAmbientNegativeControls(t *testing.T) {
	controls := []struct {
		name, stack string
		mutate      func(*world)
	}{
		{"neither the ServiceEntry nor its namespace labelled to use the waypoint (ztunnel would send it straight out)", "s02-http-ambient", func(w *world) {
			for _, kind := range []string{"ServiceEntry", "Namespace"} {
				eachCopy(w, kind, map[string]string{"ServiceEntry": "cnn", "Namespace": "istio-egress"}[kind], func(o object) {
					delete(o["metadata"].(map[string]any)["labels"].(map[string]any), "istio.io/use-waypoint")
				})
			}
		}},
		{"no AuthorizationPolicy on the ServiceEntry", "s03-https-passthrough-ambient", func(w *world) { dropEverywhere(w, "AuthorizationPolicy", "cnn") }},
		{"the policy widened to any namespace", "s02-http-ambient", func(w *world) {
			eachCopy(w, "AuthorizationPolicy", "cnn", func(o object) {
				list(o, "spec", "rules")[0].(map[string]any)["from"] = []any{map[string]any{"source": map[string]any{"principals": []any{"*"}}}}
			})
		}},
		{"no origination DestinationRule", "s06-mutual-origination-ambient", func(w *world) { dropEverywhere(w, "DestinationRule", "partner") }},
		// Why the rule has none (and why the analyzer's IST0129 on it is accepted).
		{"the origination rule with a workloadSelector, which a waypoint ignores", "s06-mutual-origination-ambient", func(w *world) {
			eachCopy(w, "DestinationRule", "partner", func(o object) {
				o["spec"].(map[string]any)["workloadSelector"] = map[string]any{"matchLabels": map[string]any{"gateway.networking.k8s.io/gateway-name": "istio-egressgateway"}}
			})
		}},
	}
	for _, ctl := range controls {
		t.Run(ctl.name, func(t *testing.T) {
			sim, c := ambientSim(t, ctl.stack, ctl.mutate)
			problems := checkWaypoint(t, c, sim)
			if len(problems) == 0 {
				t.Errorf("control %q left %s passing", ctl.name, ctl.stack)
			}
			for _, p := range problems {
				t.Logf("fails as intended: %s", p)
			}
		})
	}
}
