import * as assert from "node:assert/strict";
import { Manifest, manifests } from "./mocks";
import { istioSchemaErrors } from "./schemas";

/** Every registered Kubernetes object, after checking each Istio one against its CRD schema. */
export async function validatedManifests(): Promise<Map<string, Manifest>> {
    const all = await manifests();
    for (const [id, m] of all) {
        if (/^[a-z]+\.istio\.io\//.test(m.apiVersion)) {
            assert.deepEqual(istioSchemaErrors(m), [], `${id} matches its CRD schema`);
        }
    }
    return all;
}
