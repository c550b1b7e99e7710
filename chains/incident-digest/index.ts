import { defineChain, z } from "../../src/chain-api.js";
import { collectDigestStats, digestText } from "./digest-stats.js";

/**
 * incident-digest: every Monday at 09:00 (edit `schedules` to change it), a summary of the
 * week's incidents from the store — counts by severity, time to approve, time to resolve,
 * repeat offenders — posted to the chain's channel (or BATON_SLACK_CHANNEL). Deterministic: the
 * numbers come from the store, not from a model.
 */
export default defineChain({
  id: "incident-digest",
  title: "Weekly incident digest",
  description: "The week's incidents: counts by severity, time to approve, time to resolve, repeat offenders",
  input: z.object({ days: z.number().int().min(1).max(90).default(7) }),
  schedules: [{ cron: "0 9 * * 1", input: { days: 7 } }],
})
  .action("collect", {
    description: "Count the incidents of the period from the store",
    run: async ({ input }, services) => collectDigestStats(input.days, services),
  })
  .action("post", {
    description: "Post the digest",
    run: async ({ outputs, run }, services) =>
      services.once(async () => {
        const sent = await services.notifier.notify({
          runId: run.id,
          stepId: "post",
          idempotencyKey: services.idempotencyKey,
          title: "Incidents this week",
          text: digestText(outputs.collect),
        });
        return { reference: sent.reference };
      }),
  })
  .build();
