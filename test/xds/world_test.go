package egressxds

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"istio.io/istio/pilot/pkg/model"
)

// A world is one stack's objects plus what a real cluster would add around them: the gateway
// chart's objects, a running Pod (with an IP) for every Deployment, EndpointSlices for Services
// with selectors (Istio reads EndpointSlices only), cluster IPs, Namespaces, and the scenario's
// fixtures (services that exist outside the stack, such as the seeds' my-nginx).

type gatewayPod struct {
	name, namespace, ip, serviceAccount string
	labels                              map[string]string
}

// proxy is the gateway pod as istiod sees it connect: a gateway (model.Router) or a waypoint.
func (g gatewayPod) proxy(t model.NodeType) *model.Proxy {
	return &model.Proxy{
		Type:            t,
		ID:              g.name + "." + g.namespace,
		ConfigNamespace: g.namespace,
		IPAddresses:     []string{g.ip},
		Labels:          g.labels,
		Metadata: &model.NodeMetadata{
			Namespace: g.namespace, Labels: g.labels, IstioVersion: proxyIstioVersion, ServiceAccount: g.serviceAccount,
		},
	}
}

type world struct {
	stack    string
	istio    []object // Istio kinds: FakeOptions.ConfigString
	kube     []object // core kinds: FakeOptions.KubernetesObjectString
	gateways []gatewayPod
	charts   []object // everything the gateway chart rendered (PDB and RBAC included)
}

func (w *world) chartObjects(kind string) []object {
	var out []object
	for _, o := range w.charts {
		if kindOf(o) == kind {
			out = append(out, o)
		}
	}
	return out
}

// gatewayInjectionLabels are what the gateway injection template adds to a gateway pod
// (manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml):
// canonical names only; notably no security.istio.io/tlsMode, so sidecars reach gateways
// with plain auto-mTLS fallback unless a DestinationRule asks for ISTIO_MUTUAL.
func gatewayInjectionLabels(pod map[string]string, deployment string) map[string]string {
	out := map[string]string{}
	for k, v := range pod {
		out[k] = v
	}
	canonical := pod["app.kubernetes.io/name"]
	if canonical == "" {
		canonical = pod["app"]
	}
	if canonical == "" {
		canonical = deployment
	}
	out["service.istio.io/canonical-name"] = canonical
	out["service.istio.io/canonical-revision"] = "latest"
	return out
}

func buildWorld(r *renderedStack, fixtures []object, clientNamespaces []string) (*world, error) {
	w := &world{stack: r.Stack}
	var kube []object
	for _, o := range r.Objects {
		o = deepCopy(o)
		if isIstioConfig(o) {
			w.istio = append(w.istio, o)
		} else {
			kube = append(kube, o)
		}
	}
	gatewayDeployments := map[string]bool{}
	for _, c := range r.Charts {
		objs, err := renderGatewayChart(c, "")
		if err != nil {
			return nil, err
		}
		w.charts = append(w.charts, deepCopy(objs)...)
		for _, o := range objs {
			if kindOf(o) == "Deployment" {
				gatewayDeployments[namespaceOf(o)+"/"+nameOf(o)] = true
			}
			kube = append(kube, o)
		}
	}
	kube = append(kube, deepCopy(fixtures)...)

	ips := newAllocator()
	var pods []object
	for _, d := range kube {
		if kindOf(d) != "Deployment" {
			continue
		}
		ns, name := namespaceOf(d), nameOf(d)
		labels := stringMap(get(d, "spec", "template", "metadata", "labels"))
		gateway := gatewayDeployments[ns+"/"+name]
		if gateway {
			labels = gatewayInjectionLabels(labels, name)
		}
		sa := str(d, "spec", "template", "spec", "serviceAccountName")
		if sa == "" {
			sa = "default"
		}
		ip := ips.pod()
		pods = append(pods, pod(name+"-0", ns, ip, sa, labels))
		if gateway {
			w.gateways = append(w.gateways, gatewayPod{name: name + "-0", namespace: ns, ip: ip, serviceAccount: sa, labels: labels})
		}
	}
	// Gateway API Gateways of class istio: the Service and pod istiod's deployment controller makes.
	for _, o := range kube {
		if !isIstiodGateway(o) {
			continue
		}
		svc, labels := istiodGatewayService(o)
		name, ns := nameOf(svc), namespaceOf(o)
		ip := ips.pod()
		pods = append(pods, pod(name+"-0", ns, ip, name, labels))
		kube = append(kube, svc)
		w.gateways = append(w.gateways, gatewayPod{name: name + "-0", namespace: ns, ip: ip, serviceAccount: name, labels: labels})
	}
	// Routes attach to ServiceEntries, which the gateway controller reads from the cluster.
	for _, o := range r.Objects {
		if strings.HasPrefix(str(o, "apiVersion"), "gateway.networking.k8s.io/") {
			for _, se := range w.istio {
				if kindOf(se) == "ServiceEntry" {
					kube = append(kube, deepCopy(se))
				}
			}
			break
		}
	}
	kube = append(kube, pods...)

	var slices []object
	for _, s := range kube {
		if kindOf(s) != "Service" {
			continue
		}
		if str(s, "spec", "type") != "ExternalName" && str(s, "spec", "clusterIP") == "" {
			s["spec"].(map[string]any)["clusterIP"] = ips.service()
		}
		selector := stringMap(get(s, "spec", "selector"))
		if len(selector) == 0 {
			continue
		}
		var addrs []string
		for _, p := range pods {
			if namespaceOf(p) == namespaceOf(s) && matches(selector, stringMap(get(p, "metadata", "labels"))) {
				addrs = append(addrs, str(p, "status", "podIP"))
			}
		}
		if len(addrs) > 0 {
			slices = append(slices, endpointSlice(s, addrs))
		}
	}
	kube = append(kube, slices...)

	namespaces := map[string]bool{}
	for _, n := range clientNamespaces {
		namespaces[n] = true
	}
	for _, o := range append(append([]object{}, kube...), w.istio...) {
		if ns := namespaceOf(o); ns != "" {
			namespaces[ns] = true
		}
	}
	for _, ns := range sortedKeys(namespaces) {
		kube = append(kube, object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
			"name": ns, "labels": map[string]any{"kubernetes.io/metadata.name": ns},
		}})
	}
	// The fake registry only takes kinds it watches; the chart's RBAC, PDB and HPA are not routing.
	for _, o := range kube {
		switch kindOf(o) {
		case "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceAccount":
			continue
		}
		w.kube = append(w.kube, o)
	}
	return w, nil
}

func matches(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func pod(name, namespace, ip, serviceAccount string, labels map[string]string) object {
	l := map[string]any{}
	for k, v := range labels {
		l[k] = v
	}
	return object{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": namespace, "labels": l},
		"spec":     map[string]any{"serviceAccountName": serviceAccount, "nodeName": "node-0", "containers": []any{map[string]any{"name": "main", "image": "scratch"}}},
		"status": map[string]any{
			"phase": "Running", "podIP": ip, "podIPs": []any{map[string]any{"ip": ip}},
			"conditions": []any{map[string]any{"type": "Ready", "status": "True"}},
		},
	}
}

// endpointSlice is what the EndpointSlice controller writes for a Service and its ready pods.
func endpointSlice(svc object, addrs []string) object {
	var ports []any
	for _, p := range list(svc, "spec", "ports") {
		pm := p.(map[string]any)
		port := pm["targetPort"]
		if port == nil {
			port = pm["port"]
		}
		ports = append(ports, map[string]any{"name": pm["name"], "port": port, "protocol": "TCP"})
	}
	var endpoints []any
	for _, a := range addrs {
		endpoints = append(endpoints, map[string]any{"addresses": []any{a}, "conditions": map[string]any{"ready": true}})
	}
	return object{
		"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
		"metadata": map[string]any{
			"name": nameOf(svc) + "-sim", "namespace": namespaceOf(svc),
			"labels": map[string]any{"kubernetes.io/service-name": nameOf(svc), "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
		},
		"addressType": "IPv4", "endpoints": endpoints, "ports": ports,
	}
}

type allocator struct{ pods, services int }

func newAllocator() *allocator { return &allocator{} }
func (a *allocator) pod() string {
	a.pods++
	return fmt.Sprintf("10.244.0.%d", 10+a.pods)
}
func (a *allocator) service() string {
	a.services++
	return fmt.Sprintf("10.96.0.%d", 10+a.services)
}

func yamlStream(objs []object) string {
	docs := make([]string, 0, len(objs))
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			panic(err)
		}
		docs = append(docs, string(b))
	}
	return strings.Join(docs, "\n---\n")
}

// find returns the objects of a kind (and name, when given) in the world, for negative controls.
func (w *world) find(kind, name string) []object {
	var out []object
	for _, o := range append(append([]object{}, w.istio...), w.kube...) {
		if kindOf(o) == kind && (name == "" || nameOf(o) == name) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return idOf(out[i]) < idOf(out[j]) })
	return out
}

// isIstiodGateway: a Gateway API Gateway of class istio, which istiod deploys itself.
func isIstiodGateway(o object) bool {
	return kindOf(o) == "Gateway" && strings.HasPrefix(str(o, "apiVersion"), "gateway.networking.k8s.io/") &&
		str(o, "spec", "gatewayClassName") == "istio"
}

// istiodGatewayService is the Service istiod's deployment controller renders for a Gateway
// (manifests/.../files/kube-gateway.yaml, extractServicePorts): <name>-istio, a port per
// listener with its protocol as appProtocol, selecting the gateway-name label; and the labels
// of its pods (no security.istio.io/tlsMode: sidecars need a DestinationRule for Istio mTLS).
func istiodGatewayService(gw object) (object, map[string]string) {
	name := nameOf(gw) + "-istio"
	labels := map[string]string{
		"gateway.networking.k8s.io/gateway-name":       nameOf(gw),
		"gateway.networking.k8s.io/gateway-class-name": "istio",
		"gateway.istio.io/managed":                     "istio.io-gateway-controller",
		"sidecar.istio.io/inject":                      "false",
		"service.istio.io/canonical-name":              name,
		"service.istio.io/canonical-revision":          "latest",
	}
	// targetPort as the API server defaults it (the port itself): the gateway listens there.
	ports := []any{map[string]any{"name": "status-port", "port": 15021, "targetPort": 15021, "protocol": "TCP", "appProtocol": "tcp"}}
	seen := map[any]bool{}
	for _, l := range list(gw, "spec", "listeners") {
		lm := l.(map[string]any)
		if seen[lm["port"]] {
			continue
		}
		seen[lm["port"]] = true
		ports = append(ports, map[string]any{
			"name": lm["name"], "port": lm["port"], "targetPort": lm["port"], "protocol": "TCP",
			"appProtocol": strings.ToLower(fmt.Sprint(lm["protocol"])),
		})
	}
	svc := object{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": name, "namespace": namespaceOf(gw), "labels": map[string]any{"gateway.networking.k8s.io/gateway-name": nameOf(gw)}},
		"spec": map[string]any{
			"type": "ClusterIP", "ports": ports,
			"selector": map[string]any{"gateway.networking.k8s.io/gateway-name": nameOf(gw)},
		},
	}
	return svc, labels
}
