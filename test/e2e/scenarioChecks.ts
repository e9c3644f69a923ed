import { KubeClient, KubeObject } from "./support/kubeClient";

export type ScenarioCheck = (live: Map<string, KubeObject>, client: KubeClient) => Promise<void>;

export const scenarioChecks: Record<string, ScenarioCheck> = {};
