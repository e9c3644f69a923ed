package egressxds

import (
	"fmt"
	"regexp"
	"strings"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbacv3 "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	httprbac "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	netrbac "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	tcpproxy "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

var protoOpts = proto.UnmarshalOptions{}

// An evaluator for the Envoy RBAC filters Istio generates from AuthorizationPolicies: what the
// gateway's filter chain would decide for a caller (its mTLS identity), an SNI, a port and a Host.
// It understands the matchers Istio writes for our policies and refuses anything else, so an
// unknown construct fails the test instead of passing silently.

type rbacRequest struct {
	principal string // the caller's identity, "spiffe://cluster.local/ns/<ns>/sa/<sa>"
	sni       string
	port      int
	host      string // HTTP Host (:authority); empty for TCP
}

// rbacRules collects the RBAC rule sets of a filter chain: network filters, and HTTP filters of
// its HTTP connection manager.
func rbacRules(fc *listener.FilterChain) ([]*rbacv3.RBAC, error) {
	var out []*rbacv3.RBAC
	for _, f := range fc.GetFilters() {
		switch f.GetName() {
		case "envoy.filters.network.rbac":
			c := &netrbac.RBAC{}
			if err := anypb.UnmarshalTo(f.GetTypedConfig(), c, protoOpts); err != nil {
				return nil, err
			}
			if c.GetRules() != nil {
				out = append(out, c.GetRules())
			}
		case "envoy.filters.network.http_connection_manager":
			h := &hcm.HttpConnectionManager{}
			if err := anypb.UnmarshalTo(f.GetTypedConfig(), h, protoOpts); err != nil {
				return nil, err
			}
			for _, hf := range h.GetHttpFilters() {
				if hf.GetName() != "envoy.filters.http.rbac" {
					continue
				}
				c := &httprbac.RBAC{}
				if err := anypb.UnmarshalTo(hf.GetTypedConfig(), c, protoOpts); err != nil {
					return nil, err
				}
				if c.GetRules() != nil {
					out = append(out, c.GetRules())
				}
			}
		}
	}
	return out, nil
}

// rbacAllows: every rule set must let the request through (ALLOW: some policy matches; DENY: none).
func rbacAllows(rules []*rbacv3.RBAC, r rbacRequest) (bool, error) {
	for _, rs := range rules {
		matched := false
		for _, name := range sortedKeys(rs.GetPolicies()) {
			p := rs.GetPolicies()[name]
			ok, err := policyMatches(p, r)
			if err != nil {
				return false, fmt.Errorf("policy %s: %v", name, err)
			}
			if ok {
				matched = true
				break
			}
		}
		switch rs.GetAction() {
		case rbacv3.RBAC_ALLOW:
			if !matched {
				return false, nil
			}
		case rbacv3.RBAC_DENY:
			if matched {
				return false, nil
			}
		case rbacv3.RBAC_LOG:
		default:
			return false, fmt.Errorf("RBAC action %v", rs.GetAction())
		}
	}
	return true, nil
}

func policyMatches(p *rbacv3.Policy, r rbacRequest) (bool, error) {
	perm, err := anyOf(p.GetPermissions(), func(x *rbacv3.Permission) (bool, error) { return permission(x, r) })
	if err != nil || !perm {
		return false, err
	}
	return anyOf(p.GetPrincipals(), func(x *rbacv3.Principal) (bool, error) { return principal(x, r) })
}

func anyOf[T any](xs []T, f func(T) (bool, error)) (bool, error) {
	for _, x := range xs {
		ok, err := f(x)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func allOf[T any](xs []T, f func(T) (bool, error)) (bool, error) {
	for _, x := range xs {
		ok, err := f(x)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func permission(p *rbacv3.Permission, r rbacRequest) (bool, error) {
	rec := func(x *rbacv3.Permission) (bool, error) { return permission(x, r) }
	switch rule := p.GetRule().(type) {
	case *rbacv3.Permission_Any:
		return rule.Any, nil
	case *rbacv3.Permission_AndRules:
		return allOf(rule.AndRules.GetRules(), rec)
	case *rbacv3.Permission_OrRules:
		return anyOf(rule.OrRules.GetRules(), rec)
	case *rbacv3.Permission_NotRule:
		ok, err := permission(rule.NotRule, r)
		return !ok, err
	case *rbacv3.Permission_DestinationPort:
		return int(rule.DestinationPort) == r.port, nil
	case *rbacv3.Permission_RequestedServerName:
		return stringMatches(rule.RequestedServerName, r.sni)
	case *rbacv3.Permission_Header:
		return headerMatches(rule.Header, r)
	}
	return false, fmt.Errorf("unsupported permission %T", p.GetRule())
}

func headerMatches(h *routev3.HeaderMatcher, r rbacRequest) (bool, error) {
	if h.GetName() != ":authority" && h.GetName() != "host" {
		return false, fmt.Errorf("unsupported header %q", h.GetName())
	}
	var ok bool
	var err error
	switch m := h.GetHeaderMatchSpecifier().(type) {
	case *routev3.HeaderMatcher_StringMatch:
		ok, err = stringMatches(m.StringMatch, r.host)
	case *routev3.HeaderMatcher_PresentMatch:
		ok = (r.host != "") == m.PresentMatch
	default:
		return false, fmt.Errorf("unsupported header match %T", m)
	}
	if h.GetInvertMatch() {
		ok = !ok
	}
	return ok, err
}

func principal(p *rbacv3.Principal, r rbacRequest) (bool, error) {
	rec := func(x *rbacv3.Principal) (bool, error) { return principal(x, r) }
	switch id := p.GetIdentifier().(type) {
	case *rbacv3.Principal_Any:
		return id.Any, nil
	case *rbacv3.Principal_AndIds:
		return allOf(id.AndIds.GetIds(), rec)
	case *rbacv3.Principal_OrIds:
		return anyOf(id.OrIds.GetIds(), rec)
	case *rbacv3.Principal_NotId:
		ok, err := principal(id.NotId, r)
		return !ok, err
	case *rbacv3.Principal_Authenticated_:
		if id.Authenticated.GetPrincipalName() == nil {
			return r.principal != "", nil
		}
		return stringMatches(id.Authenticated.GetPrincipalName(), r.principal)
	case *rbacv3.Principal_FilterState:
		if id.FilterState.GetKey() != "io.istio.peer_principal" {
			return false, fmt.Errorf("unsupported filter state %q", id.FilterState.GetKey())
		}
		return stringMatches(id.FilterState.GetStringMatch(), r.principal)
	}
	return false, fmt.Errorf("unsupported principal %T", p.GetIdentifier())
}

func stringMatches(m *matcherv3.StringMatcher, s string) (bool, error) {
	if m.GetIgnoreCase() {
		s = strings.ToLower(s)
	}
	lower := func(x string) string {
		if m.GetIgnoreCase() {
			return strings.ToLower(x)
		}
		return x
	}
	switch p := m.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		return s == lower(p.Exact), nil
	case *matcherv3.StringMatcher_Prefix:
		return strings.HasPrefix(s, lower(p.Prefix)), nil
	case *matcherv3.StringMatcher_Suffix:
		return strings.HasSuffix(s, lower(p.Suffix)), nil
	case *matcherv3.StringMatcher_Contains:
		return strings.Contains(s, lower(p.Contains)), nil
	case *matcherv3.StringMatcher_SafeRegex:
		re, err := regexp.Compile("^(?:" + p.SafeRegex.GetRegex() + ")$")
		if err != nil {
			return false, err
		}
		return re.MatchString(s), nil
	}
	return false, fmt.Errorf("unsupported string match %T", m.GetMatchPattern())
}

// logsAccess: the chain writes an access log line for every request (HTTP) or connection (TCP).
func logsAccess(fc *listener.FilterChain) (bool, error) {
	for _, f := range fc.GetFilters() {
		switch f.GetName() {
		case "envoy.filters.network.http_connection_manager":
			h := &hcm.HttpConnectionManager{}
			if err := anypb.UnmarshalTo(f.GetTypedConfig(), h, protoOpts); err != nil {
				return false, err
			}
			return len(h.GetAccessLog()) > 0, nil
		case "envoy.filters.network.tcp_proxy":
			tp := &tcpproxy.TcpProxy{}
			if err := anypb.UnmarshalTo(f.GetTypedConfig(), tp, protoOpts); err != nil {
				return false, err
			}
			return len(tp.GetAccessLog()) > 0, nil
		}
	}
	return false, fmt.Errorf("filter chain %q has neither an HTTP connection manager nor a TCP proxy", fc.GetName())
}

// matchedChains: the filter chains of a listener a call with this SNI can land on (the
// simulation reports the chain by name only, and Istio leaves gateway chains unnamed).
func matchedChains(l *listener.Listener, name, sni string) []*listener.FilterChain {
	var bySNI, open []*listener.FilterChain
	for _, fc := range l.GetFilterChains() {
		if name != "" && fc.GetName() == name {
			return []*listener.FilterChain{fc}
		}
		names := fc.GetFilterChainMatch().GetServerNames()
		if len(names) == 0 {
			open = append(open, fc)
		}
		for _, n := range names {
			if n == sni || (strings.HasPrefix(n, "*.") && strings.HasSuffix(sni, n[1:])) {
				bySNI = append(bySNI, fc)
				break
			}
		}
	}
	if len(bySNI) > 0 {
		return bySNI
	}
	return open
}
