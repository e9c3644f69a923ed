package egressxds

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"istio.io/istio/pilot/pkg/simulation"
)

// What a proxy receives from the config generator, counted and sized: the benchmarks' measure of
// how much configuration a namespace's sidecars carry for N destinations, and a regression test
// that a sidecar receives configuration only for the destinations its namespace may use.

// footprint is one proxy's configuration; also a row of FOOTPRINT_OUT.
type footprint struct {
	Case          string  `json:"case"`
	Proxy         string  `json:"proxy"` // sidecar or gateway
	Clusters      int     `json:"clusters"`
	Listeners     int     `json:"listeners"`
	Routes        int     `json:"routes"` // RouteConfigurations (RDS)
	VirtualHosts  int     `json:"virtualHosts"`
	ClusterBytes  int     `json:"clusterBytes"`
	ListenerBytes int     `json:"listenerBytes"`
	RouteBytes    int     `json:"routeBytes"`
	TotalBytes    int     `json:"totalBytes"`
	Ms            float64 `json:"ms"` // wall time to set up the proxy and generate its configuration
}

// measureFootprint counts and sizes the CDS, LDS and RDS resources a proxy receives, each as
// serialized on the wire. Endpoints (EDS) and secrets (SDS) are not included.
func measureFootprint(sim *simulation.Simulation) footprint {
	f := footprint{
		Clusters: len(sim.Clusters), Listeners: len(sim.Listeners), Routes: len(sim.Routes),
		ClusterBytes: wireBytes(sim.Clusters), ListenerBytes: wireBytes(sim.Listeners), RouteBytes: wireBytes(sim.Routes),
	}
	for _, r := range sim.Routes {
		f.VirtualHosts += len(r.GetVirtualHosts())
	}
	f.TotalBytes = f.ClusterBytes + f.ListenerBytes + f.RouteBytes
	return f
}

func wireBytes[M proto.Message](resources []M) int {
	n := 0
	for _, r := range resources {
		b, err := proto.Marshal(r)
		if err != nil {
			panic(err)
		}
		n += len(b)
	}
	return n
}

func readRendered(file string) (*renderedStack, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var r renderedStack
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return &r, nil
}

// TestFootprint measures, for each case of FOOTPRINT_CASES (a JSON array of {case, file, client}:
// a rendered stack, as render.js writes them, and a client namespace), a sidecar in the client
// namespace and the egress gateway, and writes the rows to FOOTPRINT_OUT (JSON) when set. Give
// absolute paths (go test runs in test/xds); a relative file is read from the cases file's
// directory. A benchmark, not a check: it fails only when a case cannot be built.
func TestFootprint(t *testing.T) {
	casesFile := os.Getenv("FOOTPRINT_CASES")
	if casesFile == "" {
		t.Skip("a benchmark: set FOOTPRINT_CASES (and FOOTPRINT_OUT) to run it")
	}
	b, err := os.ReadFile(casesFile)
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Case   string `json:"case"`
		File   string `json:"file"`
		Client string `json:"client"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("%s: %v", casesFile, err)
	}
	var rows []footprint
	for _, c := range cases {
		// A subtest per case: its fake server is torn down before the next world is built.
		t.Run(c.Case, func(t *testing.T) {
			file := c.File
			if !filepath.IsAbs(file) {
				file = filepath.Join(filepath.Dir(casesFile), file)
			}
			r, err := readRendered(file)
			if err != nil {
				t.Fatal(err)
			}
			w, err := buildWorld(r, nil, []string{c.Client})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			s := startWorld(t, w)
			t.Logf("%s: %d Istio objects, %d Kubernetes objects, fake server up in %d ms", c.Case, len(w.istio), len(w.kube), time.Since(start).Milliseconds())
			proxies := []from{sidecarIn(c.Client)}
			if len(w.gateways) > 0 {
				proxies = append(proxies, egressGateway)
			}
			for _, p := range proxies {
				start := time.Now()
				sim, err := s.sim(p)
				if err != nil {
					t.Fatal(err)
				}
				f := measureFootprint(sim)
				f.Case, f.Proxy = c.Case, map[bool]string{false: "sidecar", true: "gateway"}[p.gateway]
				f.Ms = float64(time.Since(start).Microseconds()) / 1000
				t.Logf("%s %s: %d clusters (%d B), %d listeners (%d B), %d routes / %d virtual hosts (%d B), %d B in all, %.1f ms",
					f.Case, f.Proxy, f.Clusters, f.ClusterBytes, f.Listeners, f.ListenerBytes, f.Routes, f.VirtualHosts, f.RouteBytes, f.TotalBytes, f.Ms)
				rows = append(rows, f)
			}
		})
	}
	if out := os.Getenv("FOOTPRINT_OUT"); out != "" {
		b, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scope-two-teams (fixtureStacks.ts): destination a for team-a only, b for team-b only, both
// through the egress gateway.
type scopeTeam struct {
	namespace, destination, host string
	port                         int
}

var scopeTeams = []scopeTeam{{"team-a", "a", "api.a.example.com", 80}, {"team-b", "b", "api.b.example.com", 443}}

// scopeProblems: each team's sidecar has its own destination's clusters (the host's, and the
// gateway subset's) and no cluster naming the other team's host or subset. A subset exported to
// a namespace that may not use it still hands that namespace the other team's host (its SNI) and
// a cluster to the gateway, which only the gateway's RBAC then refuses.
func scopeProblems(t *testing.T, w *world) []string {
	s := startWorld(t, w)
	var problems []string
	for i, own := range scopeTeams {
		other := scopeTeams[1-i]
		sim, err := s.sim(sidecarIn(own.namespace))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range sim.Clusters {
			names = append(names, c.GetName())
		}
		t.Logf("sidecar in %s: clusters %v", own.namespace, names)
		for _, want := range []string{external(own.port, own.host), viaGateway(own.port, own.destination)} {
			if !slices.Contains(names, want) {
				problems = append(problems, fmt.Sprintf("sidecar in %s lacks cluster %s", own.namespace, want))
			}
		}
		for _, n := range names {
			parts := strings.Split(n, "|") // outbound|<port>|<subset>|<host>
			if strings.Contains(n, other.host) || (len(parts) == 4 && parts[2] == other.destination) {
				problems = append(problems, fmt.Sprintf("sidecar in %s receives cluster %s, of %s's destination %s", own.namespace, n, other.namespace, other.destination))
			}
		}
	}
	return problems
}

func TestSidecarScope(t *testing.T) {
	r, err := readRendered(filepath.Join(inputsDir(), "fixtures", "scope-two-teams.json"))
	if err != nil {
		t.Fatal(err)
	}
	newWorld := func(t *testing.T) *world {
		w, err := buildWorld(r, nil, []string{"team-a", "team-b"})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, p := range scopeProblems(t, newWorld(t)) {
		t.Error(p)
	}

	// Negative controls: the check must see a missing cluster and a leaked one.
	controls := []struct {
		name, want string
		mutate     func(w *world)
	}{
		{"a's gateway subset removed", "sidecar in team-a lacks cluster " + viaGateway(80, "a"), func(w *world) {
			for _, dr := range w.find("DestinationRule", "") {
				spec := dr["spec"].(map[string]any)
				spec["subsets"] = slices.DeleteFunc(list(dr, "spec", "subsets"), func(s any) bool { return s.(map[string]any)["name"] == "a" })
			}
		}},
		// The layout this test was written against: every subset in one DestinationRule for the
		// gateway, exported to every namespace that may use any of them.
		{"one gateway DestinationRule exported to both teams", "sidecar in team-a receives cluster " + viaGateway(443, "b"), func(w *world) {
			var shared object
			var subsets, exportTo []any
			w.istio = slices.DeleteFunc(w.istio, func(o object) bool {
				if kindOf(o) != "DestinationRule" || str(o, "spec", "host") != gatewayHost {
					return false
				}
				subsets = append(subsets, list(o, "spec", "subsets")...)
				exportTo = append(exportTo, list(o, "spec", "exportTo")...)
				if shared == nil {
					shared = o
					return false
				}
				return true
			})
			shared["spec"].(map[string]any)["subsets"] = subsets
			shared["spec"].(map[string]any)["exportTo"] = exportTo
		}},
	}
	for _, c := range controls {
		t.Run("negative control: "+c.name, func(t *testing.T) {
			w := newWorld(t)
			c.mutate(w)
			problems := scopeProblems(t, w)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, c.want) }) {
				t.Errorf("the check did not report %q; it reported %q", c.want, problems)
			}
		})
	}
}

// TestSharedHTTPSServer: HTTP destinations share one gateway server (one filter chain, so the
// gateway's RBAC filter is not repeated per destination); each is still routed by its host and
// allowed only to its own callers.
func TestSharedHTTPSServer(t *testing.T) {
	r, err := readRendered(filepath.Join(inputsDir(), "fixtures", "scope-two-teams.json"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := buildWorld(r, nil, []string{"team-a", "team-b"})
	if err != nil {
		t.Fatal(err)
	}
	servers := 0
	for _, gw := range w.find("Gateway", "") {
		for _, s := range list(gw, "spec", "servers") {
			if s.(map[string]any)["port"].(map[string]any)["protocol"] == "HTTPS" {
				servers++
			}
		}
	}
	if servers != 1 {
		t.Fatalf("want one HTTPS server for the two HTTP destinations, got %d", servers)
	}
	mtls := func(host string) *upstreamTLS { return &upstreamTLS{mode: "ISTIO_MUTUAL", sni: host} }
	sc := scenario{stack: r.Stack, title: "two HTTP destinations on one gateway server", clientNamespaces: []string{"team-a", "team-b"}, hops: []hop{
		{name: "team-a → egress gateway (a)", from: sidecarIn("team-a"), call: httpCall("api.a.example.com", 80), cluster: viaGateway(80, "a"), tls: mtls("api.a.example.com")},
		{name: "egress gateway → api.a.example.com", from: egressGateway, chained: true, call: httpCall("api.a.example.com", 0),
			cluster: external(80, "api.a.example.com"), tls: &upstreamTLS{mode: "NONE"}, denied: []string{"team-b/default"}},
		{name: "team-b → egress gateway (c)", from: sidecarIn("team-b"), call: httpCall("api.c.example.com", 80), cluster: viaGateway(80, "c"), tls: mtls("api.c.example.com")},
		{name: "egress gateway → api.c.example.com", from: egressGateway, chained: true, call: httpCall("api.c.example.com", 0),
			cluster: external(80, "api.c.example.com"), tls: &upstreamTLS{mode: "NONE"}, denied: []string{"team-a/default"}},
	}}
	for _, p := range startWorld(t, w).run(sc) {
		t.Error(p)
	}
}
