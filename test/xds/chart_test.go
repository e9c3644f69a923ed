package egressxds

import "fmt"

// checkS1Chart: the official chart, given our values, renders the egress gateway S1 asks for.
func checkS1Chart(s *simWorld) []string {
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("s01-gateway (S1 egress gateway install), official chart render: "+format, args...))
	}
	deployments := s.w.find("Deployment", "istio-egressgateway")
	if len(deployments) != 1 {
		fail("want one Deployment istio-egressgateway, got %d", len(deployments))
		return problems
	}
	d := deployments[0]
	if got := asInt(get(d, "spec", "replicas")); got != 3 {
		fail("replicas %d, want 3", got)
	}
	if got := stringMap(get(d, "spec", "template", "spec", "nodeSelector")); got["node-role.kubernetes.io/egress"] != "true" {
		fail("nodeSelector %v, want node-role.kubernetes.io/egress=true", got)
	}
	if got := list(d, "spec", "template", "spec", "tolerations"); len(got) != 1 {
		fail("tolerations %v, want the dedicated=egress one", got)
	}
	services := s.w.find("Service", "istio-egressgateway")
	if len(services) != 1 || str(services[0], "spec", "type") != "ClusterIP" {
		fail("want one ClusterIP Service istio-egressgateway, got %v", services)
	}
	labels := stringMap(get(d, "spec", "template", "metadata", "labels"))
	if labels["istio"] != "egressgateway" || labels["app"] != "istio-egressgateway" {
		fail("pod labels %v, want istio=egressgateway, app=istio-egressgateway", labels)
	}
	return problems
}
