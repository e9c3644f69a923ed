package egressxds

import (
	"os"
	"testing"

	"istio.io/istio/pilot/test/xdstest"
)

// Configurations the property test generated and accepted (a sample, written by the e2e script to
// XDS_GENERATED): each must give every proxy configuration Istio's own validators accept, and the
// analyzer must find nothing, like the example stacks. Their routes are not walked: the
// generator knows no expected paths; the example stacks' scenarios cover the paths.
func TestGeneratedConfigurations(t *testing.T) {
	dir := os.Getenv("XDS_GENERATED")
	if dir == "" {
		t.Skip("XDS_GENERATED is not set: scripts/e2e.sh sets it to the property test's sample")
	}
	rendered, err := loadRendered(dir)
	if err != nil {
		t.Fatal(err)
	}
	clients := []string{"shop", "payments", "test-egress", "default"}
	for _, name := range sortedKeys(rendered) {
		t.Run(name, func(t *testing.T) {
			if hasWaypoint(rendered[name]) {
				// Ambient: what istiod gives the waypoint (ztunnel is not part of istiod).
				w, _ := ambientWorld(t, rendered[name], clients)
				xdstest.ValidateClusters(t, waypointSim(t, w).Clusters)
				for _, m := range analyze(t, w.everything()) {
					t.Errorf("%s: istio analyzer: %s", name, m)
				}
				return
			}
			w, err := buildWorld(rendered[name], nil, clients)
			if err != nil {
				t.Fatal(err)
			}
			s := startWorld(t, w)
			for _, ns := range clients {
				if _, err := s.sim(sidecarIn(ns)); err != nil {
					t.Fatal(err)
				}
			}
			if len(w.gateways) > 0 {
				if _, err := s.sim(egressGateway); err != nil {
					t.Fatal(err)
				}
			}
			s.validate(t)
			for _, m := range analyze(t, w.everything()) {
				t.Errorf("%s: istio analyzer: %s", name, m)
			}
		})
	}
	if len(rendered) < 10 {
		t.Errorf("only %d generated configurations in %s: the sample is too small to say anything", len(rendered), dir)
	}
}

func hasWaypoint(r *renderedStack) bool {
	for _, o := range r.Objects {
		if kindOf(o) == "Gateway" && str(o, "spec", "gatewayClassName") == "istio-waypoint" {
			return true
		}
	}
	return false
}
