package egressxds

import (
	"fmt"

	"istio.io/istio/operator/pkg/helm"
	"istio.io/istio/operator/pkg/values"
)

// The gateway chart rendered with the values our EgressGateway passes. The official chart comes
// from the istio module's embedded manifests (manifests.FS, the snapshot's charts/gateway), so the
// simulated gateway Service, ports, pod labels and names are the real chart's; installPackagePath
// points the same renderer at another tree with a charts/gateway directory (the repository's
// stand-in), to compare the two.

func renderGatewayChart(c renderedChart, installPackagePath string) ([]object, error) {
	iop := values.Map{"spec": map[string]any{"values": deepCopy(c.Values)}}
	if installPackagePath != "" {
		iop["spec"].(map[string]any)["installPackagePath"] = installPackagePath
	}
	manifests, warnings, err := helm.Render(c.Name, c.Namespace, "gateway", iop, nil)
	if err != nil {
		return nil, fmt.Errorf("render gateway chart %s/%s: %v", c.Namespace, c.Name, err)
	}
	if len(warnings) > 0 {
		return nil, fmt.Errorf("render gateway chart %s/%s: warnings: %v", c.Namespace, c.Name, warnings)
	}
	out := make([]object, 0, len(manifests))
	for _, m := range manifests {
		o := object(m.Object)
		if namespaceOf(o) == "" && kindOf(o) != "ClusterRole" && kindOf(o) != "ClusterRoleBinding" {
			o["metadata"].(map[string]any)["namespace"] = c.Namespace
		}
		out = append(out, deepCopy(o))
	}
	return out, nil
}
