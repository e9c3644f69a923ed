package egressxds

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// The official gateway chart (from the istio module) against the repository's stand-in
// (charts/gateway, which the e2e installs because no chart repository is reachable here): for
// every example stack's values, both must render the same routing-relevant objects.

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
	pdbs := s.w.chartObjects("PodDisruptionBudget")
	if len(pdbs) != 1 || asInt(get(pdbs[0], "spec", "minAvailable")) != 2 {
		fail("want one PodDisruptionBudget with minAvailable 2, got %v", pdbs)
	}
	return problems
}

// versionLabels differ by design: the snapshot's chart is versioned 1.0.0 (an unreleased main
// branch), the stand-in 1.30.3 (the release it stands in for).
var versionLabels = []string{"app.kubernetes.io/version", "helm.sh/chart"}

// chartFacts: what of a rendered chart routing and scheduling depend on.
func chartFacts(objs []object) map[string]any {
	facts := map[string]any{}
	for _, o := range objs {
		o = deepCopy(o)
		for _, labels := range []any{get(o, "metadata", "labels"), get(o, "spec", "template", "metadata", "labels")} {
			if m, ok := labels.(map[string]any); ok {
				for _, l := range versionLabels {
					delete(m, l)
				}
			}
		}
		id := kindOf(o) + "/" + namespaceOf(o) + "/" + nameOf(o)
		switch kindOf(o) {
		case "Service":
			facts[id] = map[string]any{"type": get(o, "spec", "type"), "ports": get(o, "spec", "ports"), "selector": get(o, "spec", "selector"), "labels": get(o, "metadata", "labels")}
		case "Deployment":
			tmpl := get(o, "spec", "template").(map[string]any)
			facts[id] = map[string]any{
				"replicas": get(o, "spec", "replicas"), "selector": get(o, "spec", "selector"),
				"podLabels": get(tmpl, "metadata", "labels"), "serviceAccountName": get(tmpl, "spec", "serviceAccountName"),
				"nodeSelector": get(tmpl, "spec", "nodeSelector"), "tolerations": get(tmpl, "spec", "tolerations"),
				// Quantities: the official template writes `cpu: 2` (a YAML number), the stand-in "2".
				"resources": quantitiesAsStrings(get(tmpl, "spec", "containers").([]any)[0].(map[string]any)["resources"]),
			}
		case "PodDisruptionBudget", "HorizontalPodAutoscaler":
			facts[id] = get(o, "spec")
		case "ServiceAccount":
			facts[id] = true
		}
	}
	return facts
}

func TestStandInChartRendersLikeTheOfficialChart(t *testing.T) {
	rendered, err := loadRendered(inputsDir())
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, name := range sortedKeys(rendered) {
		for _, c := range rendered[name].Charts {
			charts++
			official, err := renderGatewayChart(c, "")
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			standIn, err := renderGatewayChart(c, repo)
			if err != nil {
				t.Fatalf("%s: stand-in: %v", name, err)
			}
			want, got := chartFacts(official), chartFacts(standIn)
			for _, id := range sortedKeys(want) {
				if !reflect.DeepEqual(want[id], got[id]) {
					t.Errorf("%s: stand-in chart's %s differs from the official chart's:\n official: %v\n stand-in: %v", name, id, want[id], got[id])
				}
			}
			for _, id := range sortedKeys(got) {
				if _, ok := want[id]; !ok {
					t.Errorf("%s: stand-in chart renders %s, the official chart does not", name, id)
				}
			}
		}
	}
	if charts == 0 {
		t.Fatal("no example stack installs a gateway chart: nothing compared")
	}
}

func quantitiesAsStrings(v any) any {
	if m, ok := v.(map[string]any); ok {
		out := map[string]any{}
		for k, x := range m {
			out[k] = quantitiesAsStrings(x)
		}
		return out
	}
	return fmt.Sprint(v)
}
