package egressxds

import (
	"strings"
	"testing"
	"time"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/schema/gvr"
	"istio.io/istio/pkg/kube/kclient/clienttest"
	"istio.io/istio/pkg/test/util/retry"
)

// The harness with the Kubernetes Gateway API (groundwork for generating it): Istio's own
// egress-gateway task, Gateway API tab (istio.io, HTTP), fed to the config generator the way a
// cluster would hold it. istiod's gateway controller reads Gateway API objects from the kube
// client only, so they and a copy of the ServiceEntry (its parentRef) go there; the Deployment
// and Service istiod would create for the Gateway are synthesized as its deployment controller
// renders them (name <gateway>-istio, gateway-name label, no tlsMode label).

const docsGatewayAPIHTTP = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cnn, namespace: default}
spec:
  hosts: [edition.cnn.com]
  ports: [{number: 80, name: http-port, protocol: HTTP}, {number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: cnn-egress-gateway
  namespace: default
  annotations: {networking.istio.io/service-type: ClusterIP}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, hostname: edition.cnn.com, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: direct-cnn-to-egress-gateway, namespace: default}
spec:
  parentRefs: [{kind: ServiceEntry, group: networking.istio.io, name: cnn}]
  rules:
  - backendRefs: [{name: cnn-egress-gateway-istio, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: forward-cnn-from-egress-gateway, namespace: default}
spec:
  parentRefs: [{name: cnn-egress-gateway}]
  hostnames: [edition.cnn.com]
  rules:
  - backendRefs: [{kind: Hostname, group: networking.istio.io, name: edition.cnn.com, port: 80}]
`

func parseObjects(t *testing.T, stream string) []object {
	var out []object
	for _, doc := range strings.Split(stream, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// gatewayAPIWorld places Gateway API objects as a cluster holds them, with the gateway istiod
// would deploy for each Gateway of class istio.
func gatewayAPIWorld(t *testing.T, objects []object) *world {
	w := &world{stack: "gateway-api"}
	ips := newAllocator()
	namespaces := map[string]bool{"default": true}
	for _, o := range objects {
		namespaces[namespaceOf(o)] = true
		if isIstioConfig(o) {
			w.istio = append(w.istio, o)
		}
		// Everything also in kube: the gateway controller reads routes, Gateways and ServiceEntries there.
		w.kube = append(w.kube, deepCopy(o))
		if !isIstiodGateway(o) {
			continue
		}
		svc, labels := istiodGatewayService(o)
		name, ns := nameOf(svc), namespaceOf(o)
		svc["spec"].(map[string]any)["clusterIP"] = ips.service()
		ip := ips.pod()
		w.kube = append(w.kube, svc, pod(name+"-0", ns, ip, name, labels), endpointSlice(svc, []string{ip}))
		w.gateways = append(w.gateways, gatewayPod{name: name + "-0", namespace: ns, ip: ip, serviceAccount: name, labels: labels})
	}
	for _, ns := range sortedKeys(namespaces) {
		w.kube = append(w.kube, object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
			"name": ns, "labels": map[string]any{"kubernetes.io/metadata.name": ns},
		}})
	}
	return w
}

// gatewayAPIHops makes the call from a sidecar in default, then at the gateway: the clusters each reached.
func gatewayAPIHops(t *testing.T, s *simWorld, call simulation.Call) (sidecar, gateway string) {
	for _, hop := range []struct {
		from from
		mode simulation.CallMode
		out  *string
	}{{sidecarIn("default"), simulation.CallModeOutbound, &sidecar}, {egressGateway, simulation.CallModeGateway, &gateway}} {
		sim, err := s.sim(hop.from)
		if err != nil {
			t.Fatal(err)
		}
		call.CallMode = hop.mode
		*hop.out = sim.Run(call).ClusterMatched
	}
	return sidecar, gateway
}

func TestGatewayAPIHarness(t *testing.T) {
	const gatewayCluster = "outbound|80||cnn-egress-gateway-istio.default.svc.cluster.local"
	route := func(objects []object) (sidecar, gateway string) {
		return gatewayAPIHops(t, startWorld(t, gatewayAPIWorld(t, objects)), httpCall("edition.cnn.com", 80))
	}

	t.Run("the docs' HTTP example: sidecar → gateway → edition.cnn.com", func(t *testing.T) {
		sidecar, gateway := route(parseObjects(t, docsGatewayAPIHTTP))
		if sidecar != gatewayCluster {
			t.Errorf("sidecar → %q, want %q", sidecar, gatewayCluster)
		}
		if want := "outbound|80||edition.cnn.com"; gateway != want {
			t.Errorf("gateway → %q, want %q", gateway, want)
		}
	})

	t.Run("negative control: without the mesh route the sidecar goes straight out", func(t *testing.T) {
		var objects []object
		for _, o := range parseObjects(t, docsGatewayAPIHTTP) {
			if nameOf(o) != "direct-cnn-to-egress-gateway" {
				objects = append(objects, o)
			}
		}
		sidecar, _ := route(objects)
		if sidecar == gatewayCluster {
			t.Errorf("sidecar still → %q without the HTTPRoute on the ServiceEntry", sidecar)
		}
	})
}

// The passthrough examples share the ServiceEntry and the sidecars' hop to the gateway.
const passthroughServiceEntry = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cnn, namespace: default}
spec:
  hosts: [edition.cnn.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
`

const passthroughMeshRoute = `
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: direct-cnn-to-egress-gateway, namespace: default}
spec:
  parentRefs: [{kind: ServiceEntry, group: networking.istio.io, name: cnn}]
  rules:
  - backendRefs: [{name: cnn-egress-gateway-istio, port: 443}]
`

const docsGatewayAPIPassthrough = passthroughServiceEntry + `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: cnn-egress-gateway
  namespace: default
  annotations: {networking.istio.io/service-type: ClusterIP}
spec:
  gatewayClassName: istio
  listeners:
  - {name: tls, hostname: edition.cnn.com, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: Same}}}
` + passthroughMeshRoute + `---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: forward-cnn-from-egress-gateway, namespace: default}
spec:
  parentRefs: [{name: cnn-egress-gateway, sectionName: tls}]
  hostnames: [edition.cnn.com]
  rules:
  - backendRefs: [{kind: Hostname, group: networking.istio.io, name: edition.cnn.com, port: 443}]
`

// watchTLSRoutes works around the fake discovery server registering the Gateway API CRDs
// without the bundle-version annotation: istiod watches TLSRoutes only from CRD bundle 1.5.0,
// so until the CRD says so, TLSRoutes are silently ignored.
func watchTLSRoutes(t *testing.T, s *simWorld, routes int) {
	watchRoutes(t, s, gvr.TLSRoute, "v1.5.1", "tls", routes)
}

func TestGatewayAPIPassthroughHarness(t *testing.T) {
	const gatewayCluster = "outbound|443||cnn-egress-gateway-istio.default.svc.cluster.local"
	route := func(watch bool) (sidecar, gateway string) {
		s := startWorld(t, gatewayAPIWorld(t, parseObjects(t, docsGatewayAPIPassthrough)))
		if watch {
			watchTLSRoutes(t, s, 2)
		}
		return gatewayAPIHops(t, s, tlsCall("edition.cnn.com", 443))
	}

	t.Run("the docs' passthrough example: sidecar → gateway → edition.cnn.com, by SNI", func(t *testing.T) {
		sidecar, gateway := route(true)
		if sidecar != gatewayCluster {
			t.Errorf("sidecar → %q, want %q", sidecar, gatewayCluster)
		}
		if want := "outbound|443||edition.cnn.com"; gateway != want {
			t.Errorf("gateway → %q, want %q", gateway, want)
		}
	})

	t.Run("negative control: unwatched TLSRoutes are silently ignored, and the sidecar goes straight out", func(t *testing.T) {
		if sidecar, gateway := route(false); sidecar == gatewayCluster || gateway != "" {
			t.Errorf("sidecar → %q, gateway → %q: the TLSRoutes took effect without their CRD's bundle version", sidecar, gateway)
		}
	})
}

// Why the package refuses the app's own TLS through a Gateway API gateway (Gateway API v1.5.1):
// to check who calls, the gateway must terminate the sidecar's Istio mTLS, and a terminated TLS
// listener forwards only by TCPRoute, which istiod watches from CRD bundle 1.6.0 on. Without
// the mTLS (the docs' Passthrough listener) the gateway never learns the caller's identity.
const identityPassthrough = passthroughServiceEntry + `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cnn-egress-gateway, namespace: default}
spec:
  host: cnn-egress-gateway-istio.default.svc.cluster.local
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: cnn-egress-gateway
  namespace: default
  annotations: {networking.istio.io/service-type: ClusterIP}
spec:
  gatewayClassName: istio
  listeners:
  - name: tls
    port: 443
    protocol: TLS
    tls: {mode: Terminate, options: {gateway.istio.io/tls-terminate-mode: ISTIO_MUTUAL}}
    allowedRoutes: {namespaces: {from: Same}}
` + passthroughMeshRoute + `---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: forward-cnn-from-egress-gateway, namespace: default}
spec:
  parentRefs: [{name: cnn-egress-gateway, sectionName: tls}]
  rules:
  - backendRefs: [{kind: Hostname, group: networking.istio.io, name: edition.cnn.com, port: 443}]
`

// watchRoutes registers a route CRD with a Gateway API bundle version, waits for n of its
// converted VirtualServices (named <route>~<kind>~…) and pushes.
func watchRoutes(t *testing.T, s *simWorld, res schema.GroupVersionResource, bundle, kind string, n int) {
	clienttest.MakeCRDWithAnnotations(t, s.server.KubeClient(), res, map[string]string{"gateway.networking.k8s.io/bundle-version": bundle})
	retry.UntilOrFail(t, func() bool {
		got := 0
		for _, c := range s.server.Env().ConfigStore.List(gvk.VirtualService, "") {
			if strings.Contains(c.Name, "~"+kind+"~") {
				got++
			}
		}
		return got >= n
	}, retry.Timeout(10*time.Second))
	s.server.Discovery.ConfigUpdate(&model.PushRequest{Forced: true, Reason: model.NewReasonStats(model.ConfigUpdate)})
	s.server.EnsureSynced(t)
}

func TestGatewayAPIPassthroughNeedsTCPRoute(t *testing.T) {
	const gatewayCluster = "outbound|443||cnn-egress-gateway-istio.default.svc.cluster.local"
	// The gateway hop as the sidecar's cluster sends it: Istio mTLS, the cluster's SNI.
	gatewayHop := func(s *simWorld) (sidecar *cluster.Cluster, gateway string) {
		side, err := s.sim(sidecarIn("default"))
		if err != nil {
			t.Fatal(err)
		}
		r := side.Run(tlsCall("edition.cnn.com", 443))
		for _, c := range side.Clusters {
			if c.Name == r.ClusterMatched {
				sidecar = c
			}
		}
		if sidecar == nil || sidecar.Name != gatewayCluster {
			t.Fatalf("sidecar → %q, want %q", r.ClusterMatched, gatewayCluster)
		}
		gw, err := s.sim(egressGateway)
		if err != nil {
			t.Fatal(err)
		}
		tls := clusterTLS(t, sidecar)
		call := simulation.Call{Port: 443, Protocol: simulation.TCP, TLS: simulation.MTLS, Sni: tls.sni, CallMode: simulation.CallModeGateway}
		return sidecar, gw.Run(call).ClusterMatched
	}
	// v1.5.1 has TCPRoute in its experimental channel only, as v1alpha2; the simulated istiod
	// (master of 2026-08-27) reads TCPRoute v1, from bundle 1.6.0.
	world := func(tcpBundle string) *simWorld {
		objects := parseObjects(t, identityPassthrough)
		for _, o := range objects {
			if kindOf(o) == "TCPRoute" && tcpBundle == "v1.6.0" {
				o["apiVersion"] = "gateway.networking.k8s.io/v1"
			}
		}
		s := startWorld(t, gatewayAPIWorld(t, objects))
		watchRoutes(t, s, gvr.TLSRoute, "v1.5.1", "tls", 1)
		if tcpBundle == "v1.6.0" {
			watchRoutes(t, s, gvr.TCPRoute, tcpBundle, "tcp", 1)
		} else {
			clienttest.MakeCRDWithAnnotations(t, s.server.KubeClient(), gvr.TCPRoute_v1alpha2, map[string]string{"gateway.networking.k8s.io/bundle-version": tcpBundle})
			s.server.EnsureSynced(t)
		}
		return s
	}

	t.Run("Gateway API v1.5.1 (what Istio 1.30 uses): the TCPRoute is ignored, the gateway forwards nothing", func(t *testing.T) {
		sidecar, gateway := gatewayHop(world("v1.5.1"))
		if tls := clusterTLS(t, sidecar); tls.mode != "ISTIO_MUTUAL" {
			t.Errorf("the sidecar's hop to the gateway is %v, want Istio mTLS", tls)
		}
		if gateway != "" && gateway != "BlackHoleCluster" {
			t.Errorf("gateway → %q: a TCPRoute from a v1.5.1 CRD took effect; the refusal in validation may be lifted", gateway)
		}
	})

	t.Run("control: with a v1.6.0 CRD the same TCPRoute forwards the app's TLS, Istio mTLS terminated", func(t *testing.T) {
		if _, gateway := gatewayHop(world("v1.6.0")); gateway != "outbound|443||edition.cnn.com" {
			t.Errorf("gateway → %q, want outbound|443||edition.cnn.com", gateway)
		}
	})

	t.Run("the docs' Passthrough listener: the hop to the gateway carries no Istio mTLS, so no identity", func(t *testing.T) {
		s := startWorld(t, gatewayAPIWorld(t, parseObjects(t, docsGatewayAPIPassthrough)))
		watchTLSRoutes(t, s, 2)
		side, err := s.sim(sidecarIn("default"))
		if err != nil {
			t.Fatal(err)
		}
		r := side.Run(tlsCall("edition.cnn.com", 443))
		for _, c := range side.Clusters {
			if c.Name == r.ClusterMatched {
				if tls := clusterTLS(t, c); tls.mode == "ISTIO_MUTUAL" {
					t.Errorf("cluster %s speaks Istio mTLS: the gateway could check identities after all", c.Name)
				}
				return
			}
		}
		t.Fatalf("sidecar → %q: no such cluster", r.ClusterMatched)
	})
}
