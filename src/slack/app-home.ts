import type { App } from "@slack/bolt";
import { RUN_STATUSES, type RunStatus } from "../core/ports.js";
import { describeError } from "../core/errors.js";
import { approvalsFor } from "./command-handlers.js";
import { renderAppHome } from "./render/app-home.js";
import type { SlackServices } from "./slack-services.js";
import type { SlackClient } from "./slack-web-client.js";

/**
 * The App Home tab: my pending approvals with their buttons, recent runs, counts by status.
 * Published when the person opens it, so it is always read fresh from the store.
 */
export async function publishHome(userId: string, client: SlackClient, services: SlackServices): Promise<void> {
  const { store, chains, clock } = services;
  const approvals = await approvalsFor(userId, services);
  const pending = (
    await Promise.all(
      approvals.map(async (approval) => {
        const run = await store.getRun(approval.runId);
        return run ? [{ approval, run, chainTitle: chains.has(approval.chainId) ? chains.get(approval.chainId).title : approval.chainId }] : [];
      }),
    )
  ).flat();
  const recentRuns = await store.listRuns({ limit: 10 });
  const countsByStatus: Partial<Record<RunStatus, number>> = {};
  // Counted over the most recent runs: a dashboard of what is going on now, not all history.
  for (const status of RUN_STATUSES) {
    const runs = await store.listRuns({ statuses: [status], limit: 1_000 });
    if (runs.length > 0) countsByStatus[status] = runs.length;
  }
  const view = renderAppHome({ userId, pending, recentRuns, countsByStatus, scripted: services.scripted, now: clock.now() });
  await client.views.publish({ user_id: userId, view });
}

export function registerAppHome(app: App, services: SlackServices): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    await publishHome(event.user, client, services).catch((error: unknown) => {
      services.logger.warn({ userId: event.user, error: describeError(error) }, "could not publish the App Home");
    });
  });
}
