package egressxds

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	internalupstream "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/internal_upstream/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
)

// The config generator istiod runs, fed one world, and the calls walked through what it would
// push to each proxy: a client sidecar in an application namespace, and the egress gateway.

// proxyIstioVersion is the proxy version the generator targets (the gateway chart's release).
const proxyIstioVersion = "1.30.3"

type from struct {
	namespace      string // a client sidecar in this namespace
	serviceAccount string // running as this service account
	gateway        bool   // the egress gateway's pod
}

func sidecarIn(ns string) from { return from{namespace: ns, serviceAccount: "default"} }

func sidecarAs(ns, sa string) from { return from{namespace: ns, serviceAccount: sa} }

// identity is the SPIFFE principal of a sidecar's Istio certificate.
func (f from) identity() string {
	return fmt.Sprintf("spiffe://cluster.local/ns/%s/sa/%s", f.namespace, f.serviceAccount)
}

var egressGateway = from{gateway: true}

func (f from) String() string {
	if f.gateway {
		return "egress gateway"
	}
	if f.serviceAccount != "default" {
		return fmt.Sprintf("sidecar in %s as %s", f.namespace, f.serviceAccount)
	}
	return "sidecar in " + f.namespace
}

// upstreamTLS is what a cluster's transport socket does towards its upstream.
type upstreamTLS struct {
	mode string   // NONE, AUTO (Istio mTLS only to endpoints labelled for it), ISTIO_MUTUAL, SIMPLE, MUTUAL
	sni  string   // SNI sent
	sds  []string // SDS secrets referenced (certificate and validation context)
	sans []string // SANs the server certificate must carry
}

func (u upstreamTLS) String() string {
	return fmt.Sprintf("{mode %s, sni %q, sds %v, sans %v}", u.mode, u.sni, u.sds, u.sans)
}

type hop struct {
	name string
	from from
	call simulation.Call
	// chained: the call is the previous hop's upstream connection — port from its cluster (via the
	// gateway Service's targetPort), Istio mTLS and SNI from its transport socket.
	chained bool
	// toService ("name.namespace"): the app connects to this Kubernetes Service's cluster IP, as
	// its DNS lookup of the Service name would give it.
	toService string
	cluster   string
	tls       *upstreamTLS // when set, the matched cluster's upstream TLS must be exactly this
	port      int          // when set, the matched cluster's static/DNS endpoints must use this port
	// For a chained hop into the egress gateway: the gateway must require Istio mTLS on it, let
	// the previous hop's caller through (its RBAC), and these callers too ("namespace/serviceaccount"),
	// and refuse the denied ones.
	alsoAllowed, denied []string
}

type scenario struct {
	stack, title     string
	clientNamespaces []string
	fixtures         []object
	hops             []hop
	// checks beyond the hops (for example the chart's rendered Deployment); nil when none.
	extra func(*simWorld) []string
}

type simWorld struct {
	// paths: each hop that went where expected, as listener → filter chain / route → cluster.
	paths  []string
	t      *testing.T
	w      *world
	server *xds.FakeDiscoveryServer
	sims   map[from]*simulation.Simulation
}

func startWorld(t *testing.T, w *world) *simWorld {
	s := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:           yamlStream(w.istio),
		KubernetesObjectString: yamlStream(w.kube),
	})
	return &simWorld{t: t, w: w, server: s, sims: map[from]*simulation.Simulation{}}
}

func (s *simWorld) sim(f from) (*simulation.Simulation, error) {
	if sim, ok := s.sims[f]; ok {
		return sim, nil
	}
	var p *model.Proxy
	if f.gateway {
		if len(s.w.gateways) == 0 {
			return nil, fmt.Errorf("the stack installs no egress gateway")
		}
		p = s.w.gateways[0].proxy(model.Router)
	} else {
		labels := map[string]string{"app": "client"}
		p = &model.Proxy{
			Type:            model.SidecarProxy,
			ID:              "client-0." + f.namespace,
			ConfigNamespace: f.namespace,
			IPAddresses:     []string{"10.244.9.9"},
			Labels:          labels,
			Metadata:        &model.NodeMetadata{Namespace: f.namespace, Labels: labels, IstioVersion: proxyIstioVersion, ServiceAccount: f.serviceAccount},
		}
	}
	sim := simulation.NewSimulation(s.t, s.server, s.server.SetupProxy(p))
	s.sims[f] = sim
	return sim, nil
}

// validate runs Istio's own xDS validators on everything each simulated proxy received.
func (s *simWorld) validate(t *testing.T) {
	for _, f := range sortedFroms(s.sims) {
		sim := s.sims[f]
		t.Run("xdstest validators: "+f.String(), func(t *testing.T) {
			xdstest.ValidateClusters(t, sim.Clusters)
			xdstest.ValidateListeners(t, sim.Listeners)
			xdstest.ValidateRouteConfigurations(t, sim.Routes)
		})
	}
}

func sortedFroms(m map[from]*simulation.Simulation) []from {
	out := make([]from, 0, len(m))
	for f := range m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// run walks every hop of the scenario and returns what went wrong, each message naming the
// scenario and the hop. An empty result means every hop went where the scenario says.
func (s *simWorld) run(sc scenario) []string {
	var problems []string
	fail := func(h hop, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s (%s), hop %q [%s]: %s", sc.stack, sc.title, h.name, h.from, fmt.Sprintf(format, args...)))
	}
	var prev *cluster.Cluster
	var caller from
	for _, h := range sc.hops {
		sim, err := s.sim(h.from)
		if err != nil {
			fail(h, "%v", err)
			prev = nil
			continue
		}
		call := h.call
		if h.chained {
			if prev == nil {
				fail(h, "the previous hop reached no cluster to continue from")
				continue
			}
			if call, err = s.continueFrom(prev, call); err != nil {
				fail(h, "%v", err)
				prev = nil
				continue
			}
		}
		if h.toService != "" {
			ip, err := s.clusterIP(h.toService)
			if err != nil {
				fail(h, "%v", err)
				continue
			}
			call.Address = ip
		}
		if call.CallMode == "" {
			call.CallMode = simulation.CallModeOutbound
			if h.from.gateway {
				call.CallMode = simulation.CallModeGateway
			}
		}
		r := sim.Run(call)
		prev = nil
		if h.chained && h.from.gateway {
			problems = append(problems, s.checkGatewayAccess(sc, h, sim, call, r, caller)...)
		}
		caller = h.from
		if r.Error != nil {
			fail(h, "%v (listener %q, filter chain %q, route config %q, virtual host %q, route %q)",
				r.Error, r.ListenerMatched, r.FilterChainMatched, r.RouteConfigMatched, r.VirtualHostMatched, r.RouteMatched)
			continue
		}
		if r.ClusterMatched != h.cluster {
			fail(h, "reached cluster %q, want %q (listener %q, filter chain %q, virtual host %q, route %q)",
				r.ClusterMatched, h.cluster, r.ListenerMatched, r.FilterChainMatched, r.VirtualHostMatched, r.RouteMatched)
			continue
		}
		c := xdstest.ExtractCluster(r.ClusterMatched, sim.Clusters)
		if c == nil {
			fail(h, "routes to cluster %q, which the proxy was not given (a 503 in Envoy)", r.ClusterMatched)
			continue
		}
		prev = c
		s.paths = append(s.paths, fmt.Sprintf("%s [%s]: listener %s → %s → %s", h.name, h.from, r.ListenerMatched, via(r), r.ClusterMatched))
		got := clusterTLS(s.t, c)
		if h.tls != nil && got.String() != h.tls.String() {
			fail(h, "cluster %q upstream TLS is %s, want %s", c.Name, got, h.tls)
		}
		if h.port != 0 {
			if ports := endpointPorts(c); len(ports) == 0 || ports[0] != h.port || len(ports) > 1 {
				fail(h, "cluster %q sends to ports %v, want %d", c.Name, ports, h.port)
			}
		}
	}
	if sc.extra != nil {
		problems = append(problems, sc.extra(s)...)
	}
	return problems
}

// continueFrom turns the upstream connection of the previous hop's cluster into the call the
// egress gateway receives: the gateway Service port's targetPort, and Istio mTLS with the
// cluster's SNI when the cluster originates it.
func (s *simWorld) continueFrom(prev *cluster.Cluster, call simulation.Call) (simulation.Call, error) {
	parts := strings.Split(prev.Name, "|")
	if len(parts) != 4 || parts[0] != "outbound" {
		return call, fmt.Errorf("the previous hop ended at %q, not at an outbound service cluster", prev.Name)
	}
	port, _ := strconv.Atoi(parts[1])
	target, err := s.targetPort(parts[3], port)
	if err != nil {
		return call, err
	}
	call.Port = target
	if len(s.w.gateways) > 0 {
		call.Address = s.w.gateways[0].ip
	}
	switch u := clusterTLS(s.t, prev); u.mode {
	case "ISTIO_MUTUAL":
		call.TLS = simulation.MTLS
		call.Sni = u.sni
		call.Alpn = ""
	case "NONE", "AUTO": // the gateway's pods carry no tlsMode label: auto mTLS sends the app's bytes as they are
	default:
		return call, fmt.Errorf("the previous hop's cluster %q speaks %s to the gateway", prev.Name, u)
	}
	return call, nil
}

func (s *simWorld) targetPort(serviceHost string, port int) (int, error) {
	labels := strings.SplitN(serviceHost, ".", 3)
	if len(labels) < 3 {
		return 0, fmt.Errorf("%q is not a Kubernetes service host", serviceHost)
	}
	for _, svc := range s.w.find("Service", labels[0]) {
		if namespaceOf(svc) != labels[1] {
			continue
		}
		for _, p := range list(svc, "spec", "ports") {
			pm := p.(map[string]any)
			if asInt(pm["port"]) == port {
				if tp := asInt(pm["targetPort"]); tp != 0 {
					return tp, nil
				}
				return port, nil
			}
		}
		return 0, fmt.Errorf("service %s has no port %d", serviceHost, port)
	}
	return 0, fmt.Errorf("no Service for %s in the cluster", serviceHost)
}

// checkGatewayAccess: the gateway requires Istio mTLS for the hop and its RBAC lets exactly the
// right callers through.
func (s *simWorld) checkGatewayAccess(sc scenario, h hop, sim *simulation.Simulation, call simulation.Call, r simulation.Result, caller from) []string {
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s (%s), hop %q [%s]: %s", sc.stack, sc.title, h.name, h.from, fmt.Sprintf(format, args...)))
	}
	if call.TLS != simulation.MTLS {
		fail("the previous hop reaches the gateway without Istio mTLS: the gateway cannot know who calls")
		return problems
	}
	plain := call
	plain.TLS, plain.Alpn = simulation.Plaintext, ""
	if h.call.TLS == simulation.TLS {
		plain.TLS = simulation.TLS
	}
	if pr := sim.Run(plain); pr.Error == nil {
		fail("the gateway also accepts the call without Istio mTLS (reached %q)", pr.ClusterMatched)
	}
	if r.Error != nil {
		return problems
	}
	var l *listener.Listener
	for _, x := range sim.Listeners {
		if x.GetName() == r.ListenerMatched {
			l = x
		}
	}
	chains := matchedChains(l, r.FilterChainMatched, call.Sni)
	if len(chains) == 0 {
		fail("no filter chain of listener %q for SNI %q to read RBAC from", r.ListenerMatched, call.Sni)
		return problems
	}
	for _, fc := range chains {
		if logged, err := logsAccess(fc); err != nil || !logged {
			fail("the gateway keeps no access log of this traffic (%v)", err)
			break
		}
	}
	host := ""
	if call.Protocol == simulation.HTTP || call.Protocol == simulation.HTTP2 {
		host = call.HostHeader
	}
	verdict := func(identity string) (bool, error) {
		req := rbacRequest{principal: identity, sni: call.Sni, port: call.Port, host: host}
		allowed := true
		for _, fc := range chains {
			rules, err := rbacRules(fc)
			if err != nil {
				return false, err
			}
			if len(rules) == 0 {
				return false, fmt.Errorf("filter chain %q has no RBAC filter: the gateway authorizes nobody's access", fc.GetName())
			}
			ok, err := rbacAllows(rules, req)
			if err != nil {
				return false, err
			}
			allowed = allowed && ok
		}
		return allowed, nil
	}
	expect := map[string]bool{caller.identity(): true}
	for _, a := range h.alsoAllowed {
		expect[identityOf(a)] = true
	}
	for _, d := range h.denied {
		expect[identityOf(d)] = false
	}
	for _, id := range sortedKeys(expect) {
		got, err := verdict(id)
		switch {
		case err != nil:
			fail("RBAC for %s: %v", id, err)
		case got != expect[id]:
			fail("the gateway's RBAC %s %s (want %s)", map[bool]string{true: "allows", false: "refuses"}[got], id, map[bool]string{true: "allowed", false: "refused"}[expect[id]])
		}
	}
	return problems
}

func identityOf(nsSA string) string {
	ns, sa, _ := strings.Cut(nsSA, "/")
	return from{namespace: ns, serviceAccount: sa}.identity()
}

func via(r simulation.Result) string {
	if r.RouteMatched != "" || r.VirtualHostMatched != "" {
		return fmt.Sprintf("route %s / %s / %s", r.RouteConfigMatched, r.VirtualHostMatched, r.RouteMatched)
	}
	if r.FilterChainMatched == "" {
		return "its (unnamed) filter chain"
	}
	return "filter chain " + r.FilterChainMatched
}

func (s *simWorld) clusterIP(service string) (string, error) {
	name, ns, _ := strings.Cut(service, ".")
	for _, svc := range s.w.find("Service", name) {
		if namespaceOf(svc) == ns {
			if ip := str(svc, "spec", "clusterIP"); ip != "" {
				return ip, nil
			}
			return "", fmt.Errorf("service %s has no cluster IP", service)
		}
	}
	return "", fmt.Errorf("no Service %s in the cluster", service)
}

func asInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}

func clusterTLS(t *testing.T, c *cluster.Cluster) upstreamTLS {
	if c.TransportSocket == nil {
		if len(c.TransportSocketMatches) > 0 {
			return upstreamTLS{mode: "AUTO"}
		}
		return upstreamTLS{mode: "NONE"}
	}
	socket := c.TransportSocket
	// A waypoint's clusters wrap their transport socket for its internal listeners.
	if socket.GetTypedConfig().GetTypeUrl() == xdstest.TypeName[*internalupstream.InternalUpstreamTransport]() {
		socket = xdstest.UnmarshalAny[internalupstream.InternalUpstreamTransport](t, socket.GetTypedConfig()).GetTransportSocket()
	}
	if socket.GetTypedConfig().GetTypeUrl() != xdstest.TypeName[*tlsv3.UpstreamTlsContext]() {
		return upstreamTLS{mode: "NONE"}
	}
	u := xdstest.UnmarshalAny[tlsv3.UpstreamTlsContext](t, socket.GetTypedConfig())
	common := u.GetCommonTlsContext()
	out := upstreamTLS{sni: u.GetSni(), mode: "SIMPLE"}
	for _, sds := range common.GetTlsCertificateSdsSecretConfigs() {
		out.sds = append(out.sds, sds.GetName())
		if sds.GetName() == "default" {
			out.mode = "ISTIO_MUTUAL"
		} else {
			out.mode = "MUTUAL"
		}
	}
	if out.mode == "ISTIO_MUTUAL" {
		// Istio's own identity and root: the names say nothing more.
		return upstreamTLS{mode: out.mode, sni: out.sni}
	}
	combined := common.GetCombinedValidationContext()
	if name := combined.GetValidationContextSdsSecretConfig().GetName(); name != "" {
		out.sds = append(out.sds, name)
	}
	if name := common.GetValidationContextSdsSecretConfig().GetName(); name != "" {
		out.sds = append(out.sds, name)
	}
	for _, m := range combined.GetDefaultValidationContext().GetMatchTypedSubjectAltNames() {
		out.sans = append(out.sans, m.GetMatcher().GetExact())
	}
	for _, m := range common.GetValidationContext().GetMatchTypedSubjectAltNames() {
		out.sans = append(out.sans, m.GetMatcher().GetExact())
	}
	for _, m := range combined.GetDefaultValidationContext().GetMatchSubjectAltNames() { //nolint:staticcheck // what Istio writes
		out.sans = append(out.sans, m.GetExact())
	}
	sort.Strings(out.sds)
	sort.Strings(out.sans)
	return out
}

// endpointPorts lists the ports of a cluster's own endpoints (STRICT_DNS/STATIC clusters).
func endpointPorts(c *cluster.Cluster) []int {
	var out []int
	for _, l := range c.GetLoadAssignment().GetEndpoints() {
		for _, e := range l.GetLbEndpoints() {
			out = append(out, int(e.GetEndpoint().GetAddress().GetSocketAddress().GetPortValue()))
		}
	}
	return out
}
