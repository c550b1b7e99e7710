import { RUN_STATUSES, type RunRecord, type RunStatus } from "../../core/ports.js";
import { BLOCK_LIMITS, fitBetween, splitIntoSections } from "./block-limits.js";
import { context, divider, header, scriptedNotice, section } from "./blocks.js";
import { relative } from "./format.js";
import { escapeMrkdwn, joinMrkdwn, md, mention } from "./mrkdwn.js";
import { pendingItemBlocks, type PendingItem } from "./pending-item.js";
import { STATUS_LABELS } from "./run-status.js";
import type { Block, HomeView } from "./types.js";

/** What the App Home is drawn from. */
export interface AppHomeInput {
  /** Whose Home tab this is. */
  userId: string;
  /** The approvals waiting for this person. */
  pending: ReadonlyArray<PendingItem>;
  /** The most recent runs, newest first. */
  recentRuns: ReadonlyArray<RunRecord>;
  countsByStatus: Partial<Record<RunStatus, number>>;
  scripted: boolean;
  now: number;
}

/** Approvals shown with their buttons (three blocks each); the rest are counted. */
const PENDING_SHOWN = 20;

/** The App Home tab: my pending approvals (with their buttons), recent runs, counts by status. */
export function renderAppHome(input: AppHomeInput): HomeView {
  const { pending, recentRuns, countsByStatus, now } = input;
  const top: Block[] = [header("baton"), context(md`Hello ${mention(input.userId)} — what waits for you, and what ran lately.`)];
  if (input.scripted) top.push(scriptedNotice());
  const counts = RUN_STATUSES.filter((status) => (countsByStatus[status] ?? 0) > 0).map(
    (status) => md`${STATUS_LABELS[status]}: *${countsByStatus[status] ?? 0}*`,
  );
  top.push(section(counts.length === 0 ? md`No runs yet.` : joinMrkdwn(counts, "   ")));

  const body: Block[] = [divider, section(md`*Waiting for you* (${pending.length})`)];
  if (pending.length === 0) body.push(context(md`Nothing is waiting for your approval.`));
  for (const item of pending.slice(0, PENDING_SHOWN)) body.push(...pendingItemBlocks(item, now), divider);
  if (pending.length > PENDING_SHOWN) body.push(context(md`… and ${pending.length - PENDING_SHOWN} more: \`/baton pending\` lists them.`));
  body.push(section(md`*Recent runs*`));
  if (recentRuns.length === 0) body.push(context(md`No runs yet. Start one with \`/baton run &lt;chain&gt;\`.`));
  const lines = recentRuns.map(
    (run) =>
      md`\`${escapeMrkdwn(run.id)}\` *${escapeMrkdwn(run.chainId)}* · ${STATUS_LABELS[run.status]} · ${mention(run.startedBy)} · ${escapeMrkdwn(relative(run.createdAt, now))}`,
  );
  for (const piece of splitIntoSections(joinMrkdwn(lines, "\n"))) body.push(section(piece));

  // The Home tab has no documented text budget like messages; blocks are the limit here.
  const blocks = fitBetween({ top, body, tail: [] }, BLOCK_LIMITS.viewBlocks, (leftOut) => md`… ${leftOut} more blocks not shown.`, Number.POSITIVE_INFINITY);
  return { type: "home", blocks };
}
