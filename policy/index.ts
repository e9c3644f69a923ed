// The istio-egress policy pack: other stacks run it in their previews
// (`pulumi preview --policy-pack <dir>`), and it holds them to the egress rules.
import { PolicyPack } from "@pulumi/policy";
import { EGRESS_POLICIES } from "./policies";

new PolicyPack("istio-egress", { policies: EGRESS_POLICIES });
