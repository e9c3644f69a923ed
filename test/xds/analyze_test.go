package egressxds

import (
	"strings"
	"testing"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/diag"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
)

// Istio's analyzers (what `istioctl analyze` runs, in process, from the same snapshot) over a
// whole world: the stack's objects with the chart, pods and namespaces around them. The bar is
// zero messages at any level (Info included); the ones we accept are listed here and in the
// README, with the reason.

// accepted says why the package leaves an analyzer message, or "" when it does not.
//
// IST0129/IST0128 (port-level/rule-level) on a sidecar's SIMPLE origination without
// credentialName (S4, S11's ExternalName with origination): the analyzer wants
// caCertificates, but without it Istio verifies the server against the proxy's system roots
// (VERIFY_CERTIFICATE_AT_CLIENT, the default since 1.20); the S4 simulation asserts the cluster's
// validation context is file-root:system. A rule with a credentialName gets no such pass: at the
// gateway it needs its workloadSelector, and the warning would be real.
//
// The same two on a waypoint's origination rule with a credentialName: the analyzer accepts a
// credentialName only beside a workloadSelector, but a waypoint ignores rules that have one
// (TestAmbientWaypoints: with it, the cluster loses its TLS) and, not being a sidecar, reads the
// credential without one; the ambient simulation asserts the credential's SDS names on the cluster.
func accepted(m diag.Message, objs []object) string {
	if (m.Type.Code() != "IST0129" && m.Type.Code() != "IST0128") || m.Resource == nil {
		return ""
	}
	name := m.Resource.Metadata.FullName
	for _, o := range objs {
		if kindOf(o) == "DestinationRule" && nameOf(o) == string(name.Name) && namespaceOf(o) == string(name.Namespace) {
			if !strings.Contains(yamlStream([]object{o}), "credentialName") {
				return "system roots verify the server (asserted by the S4 simulation)"
			}
			if waypointNamespace(objs, namespaceOf(o)) && get(o, "spec", "workloadSelector") == nil {
				return "a waypoint reads the credential without a workloadSelector (asserted by the ambient simulation)"
			}
			return ""
		}
	}
	return ""
}

// waypointNamespace: a Gateway of class istio-waypoint lives in the namespace.
func waypointNamespace(objs []object, ns string) bool {
	for _, o := range objs {
		if kindOf(o) == "Gateway" && namespaceOf(o) == ns && str(o, "spec", "gatewayClassName") == "istio-waypoint" {
			return true
		}
	}
	return false
}

func analyze(t *testing.T, objs []object) []string {
	t.Helper()
	sa := local.NewIstiodAnalyzer(analyzers.AllCombined(), resource.Namespace(""), resource.Namespace("istio-system"), nil)
	if err := sa.AddDefaultResources(); err != nil {
		t.Fatal(err)
	}
	if err := sa.AddReaderKubeSource([]local.ReaderSource{{Name: "world", Reader: strings.NewReader(yamlStream(objs))}}); err != nil {
		t.Fatal(err)
	}
	cancel := make(chan struct{})
	defer close(cancel)
	result, err := sa.Analyze(cancel)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range result.Messages {
		if accepted(m, objs) == "" {
			out = append(out, m.String())
		}
	}
	return out
}

func (w *world) everything() []object {
	return append(append(append([]object{}, w.istio...), w.kube...), w.charts...)
}

func TestAnalyzerFindsNothing(t *testing.T) {
	forEachScenarioWorld(t, func(t *testing.T, sc scenario, w *world) {
		for _, m := range analyze(t, w.everything()) {
			t.Errorf("%s (%s): istio analyzer: %s", sc.stack, sc.title, m)
		}
	})
}

// The analyzer can fail: a VirtualService naming a missing gateway and subset is reported.
func TestAnalyzerReportsABrokenVirtualService(t *testing.T) {
	broken := object{
		"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
		"metadata": map[string]any{"name": "broken", "namespace": "default"},
		"spec": map[string]any{
			"hosts": []any{"edition.cnn.com"}, "gateways": []any{"istio-system/missing"},
			"http": []any{map[string]any{"route": []any{map[string]any{"destination": map[string]any{"host": "edition.cnn.com", "subset": "missing"}}}}},
		},
	}
	msgs := analyze(t, []object{broken})
	if len(msgs) == 0 || !strings.Contains(strings.Join(msgs, "\n"), "IST0101") {
		t.Fatalf("want IST0101 (referenced resource not found), got %q", msgs)
	}
}

// The gateway's origination rule without its workloadSelector is reported (IST0129), and not
// accepted: the acceptance above is for system roots only.
func TestAnalyzerReportsAGatewayOriginationRuleWithoutWorkloadSelector(t *testing.T) {
	rendered, err := loadRendered(inputsDir())
	if err != nil {
		t.Fatal(err)
	}
	sc := scenarioFor(t, "s06-gateway-mutual-origination")
	w, err := buildWorld(rendered[sc.stack], sc.fixtures, sc.clientNamespaces)
	if err != nil {
		t.Fatal(err)
	}
	delete(only(t, w, "DestinationRule", "nginx")["spec"].(map[string]any), "workloadSelector")
	msgs := analyze(t, w.everything())
	if !strings.Contains(strings.Join(msgs, "\n"), "IST0129") {
		t.Fatalf("want IST0129 for %s without workloadSelector, got %q", sc.stack, msgs)
	}
}
