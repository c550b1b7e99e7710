import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ActionServices } from "../../src/chain-api.js";
import { IncidentInput, type Alert, type IncidentContext } from "./schemas.js";

/**
 * What the plan is grounded in: a runbook from `runbooks/` at the repository root matched by
 * alert name or service (`HighErrorRate.md`, `checkout.md`), the alerts' runbook links, and the
 * last few incidents with the same alert or service — their plan, who approved it, how it ended.
 */

const RUNBOOKS = fileURLToPath(new URL("../../runbooks/", import.meta.url));
const SIMILAR = 3;
const RUNBOOK_MAX_CHARACTERS = 12_000;

const normalise = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, "");

export function findRunbook(alerts: ReadonlyArray<Alert>, directory = RUNBOOKS): IncidentContext["runbook"] {
  if (!existsSync(directory)) return null;
  const files = readdirSync(directory).filter((file) => file.endsWith(".md") && file.toLowerCase() !== "readme.md");
  const byName = new Map(files.map((file) => [normalise(file.slice(0, -3)), file]));
  const candidates = [...alerts.map((alert) => alert.name), ...alerts.flatMap((alert) => (alert.service ? [alert.service] : []))];
  for (const candidate of candidates) {
    const file = byName.get(normalise(candidate));
    if (file) return { file: `runbooks/${file}`, text: readFileSync(`${directory}${file}`, "utf8").slice(0, RUNBOOK_MAX_CHARACTERS) };
  }
  return null;
}

function sharesAlertOrService(earlier: IncidentInput, now: IncidentInput): boolean {
  const keys = (input: IncidentInput) =>
    new Set(input.alerts.flatMap((alert) => [`name:${alert.name}`, ...(alert.service ? [`service:${alert.service}`] : [])]));
  const current = keys(now);
  return [...keys(earlier)].some((key) => current.has(key));
}

export async function recallSimilarIncidents(input: IncidentInput, runId: string, services: ActionServices): Promise<IncidentContext["similarIncidents"]> {
  const { store } = services;
  const runs = await store.listRuns({ chainId: "incident-response", statuses: ["succeeded", "failed", "rejected", "cancelled", "expired"], limit: 200 });
  const similar = runs.filter((run) => {
    if (run.id === runId) return false;
    const earlier = IncidentInput.safeParse(run.input);
    return earlier.success && sharesAlertOrService(earlier.data, input);
  });
  return Promise.all(
    similar.slice(0, SIMILAR).map(async (run) => {
      const [steps, approvals] = await Promise.all([store.getSteps(run.id), store.listApprovals({ runId: run.id, limit: 20 })]);
      const classify = steps.find((step) => step.stepId === "classify")?.output as { severity?: string } | undefined;
      const plan = steps.find((step) => step.stepId === "remediation")?.output as { summary?: string } | undefined;
      const decision = approvals.find((approval) => approval.stepId === "remediation" && approval.status !== "pending");
      return {
        runId: run.id,
        startedAt: new Date(run.createdAt).toISOString(),
        severity: classify?.severity ?? null,
        plan: plan?.summary ?? null,
        decidedBy: decision?.decidedBy ?? null,
        outcome: decision ? `${run.status} (plan ${decision.status})` : run.status,
      };
    }),
  );
}

export async function gatherContext(input: IncidentInput, runId: string, services: ActionServices): Promise<IncidentContext> {
  return {
    runbook: findRunbook(input.alerts),
    runbookUrls: [...new Set(input.alerts.flatMap((alert) => (alert.runbookUrl ? [alert.runbookUrl] : [])))],
    similarIncidents: await recallSimilarIncidents(input, runId, services),
  };
}
