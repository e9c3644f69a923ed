package egressxds

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The simulation must run the same Istio as the e2e's istioctl: the istio.io/istio snapshot and
// the replace lines of scripts/toolchain.sh's istioctl build are test/xds/go.mod's too.
func TestSnapshotIsTheToolchainsIstio(t *testing.T) {
	script, err := os.ReadFile("../../scripts/toolchain.sh")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	istioctl := string(script)
	start := strings.Index(istioctl, "build_istioctl() {")
	if start < 0 {
		t.Fatal("no build_istioctl in scripts/toolchain.sh")
	}
	istioctl = istioctl[start:]
	istioctl = istioctl[:strings.Index(istioctl, "\n}\n")]

	module := regexp.MustCompile(`(?m)^ISTIO_MODULE=(\S+)`).FindStringSubmatch(string(script))
	if module == nil {
		t.Fatal("no ISTIO_MODULE in scripts/toolchain.sh")
	}
	required := regexp.MustCompile(`(?m)^(?:require)?\s*istio\.io/istio (\S+)$`).FindStringSubmatch(string(gomod))
	if required == nil {
		t.Fatal("test/xds/go.mod does not require istio.io/istio")
	}
	if required[1] != module[1] {
		t.Errorf("test/xds/go.mod requires istio.io/istio %s, the toolchain's istioctl is built from %s: the two must be the same snapshot", required[1], module[1])
	}
	replaces := regexp.MustCompile(`(?m)^\t(\S+ => \S+ v\S+)$`).FindAllStringSubmatch(istioctl, -1)
	if len(replaces) == 0 {
		t.Fatal("no replace lines in build_istioctl")
	}
	for _, r := range replaces {
		if !strings.Contains(string(gomod), "\t"+r[1]+"\n") {
			t.Errorf("test/xds/go.mod lacks the toolchain's replace %q", r[1])
		}
	}
}
