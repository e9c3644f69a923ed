import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { resetRegistrations, settle } from "./helpers/mocks";

describe("the shared mocks", () => {
    beforeEach(resetRegistrations);

    it("refuse a second resource with the same type and name, as the engine does", async () => {
        new k8s.core.v1.ConfigMap("same", { metadata: { name: "a", namespace: "default" } });
        new k8s.core.v1.ConfigMap("same", { metadata: { name: "b", namespace: "default" } });
        await assert.rejects(settle(), /duplicate resource names \(the engine would refuse them\): kubernetes:core\/v1:ConfigMap same/);
        resetRegistrations();
    });

    it("refuse two resources that write the same Kubernetes object", async () => {
        new k8s.core.v1.ConfigMap("one", { metadata: { name: "shared", namespace: "default" } });
        new k8s.core.v1.ConfigMap("two", { metadata: { name: "shared", namespace: "default" } });
        await assert.rejects(settle(), /object ConfigMap\/default\/shared \(again from two\)/);
        resetRegistrations();
    });
});
