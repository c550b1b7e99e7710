import { shapeProblemOf } from "./payload-shapes.js";

/**
 * What baton lets through to Bolt, whichever way Slack's request came: over HTTP
 * (`request-guard.ts`) or in a Socket Mode envelope (`socket-mode-guard.ts`). Both guards read
 * the bytes, parse them, and ask `judgeSlackBody` what to do with the result:
 * - `refuse`: not a JSON object (null, an array, a number, a string). Bolt reads fields of the
 *   body without checking it is an object, and threw on `null` (issue 13 item 2);
 * - `acknowledge`: an object nothing behind the guard answers (`handled-requests.ts` decides for
 *   baton's listeners; over HTTP, Bolt answers `ssl_check` and `url_verification` itself).
 *   Nothing would ever acknowledge it, and Slack shows the person an error after 3 s;
 * - `malformed`: a click, submission, `/baton` command or event that lacks a field Slack always
 *   sends and Bolt or baton's listener reads (`payload-shapes.ts`): Bolt threw before the
 *   listener ran (a 500 over HTTP, no ack in Socket Mode), or the listener threw. It is
 *   acknowledged at once and never reaches Bolt;
 * - `pass`: everything else, which Bolt hands to the listener that acknowledges it.
 */

/** Bolt's default body limit (HTTPModuleFunctions `defaultBodyLimit`), used for envelopes too. */
export const SLACK_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export type SlackBody = Readonly<Record<string, unknown>>;

export type BodyJudgement =
  | { verdict: "refuse"; what: string }
  | { verdict: "acknowledge"; body: SlackBody }
  | { verdict: "malformed"; body: SlackBody; problem: string }
  | { verdict: "pass"; body: SlackBody };

export const isSlackBody = (value: unknown): value is SlackBody => typeof value === "object" && value !== null && !Array.isArray(value);

/** "null", "an array", "a number": what a body that is not an object is, for logs and answers. */
export function describeNonObject(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** `isHandled`: whether something behind the guard (a baton listener, or Bolt itself) answers this body. */
export function judgeSlackBody(parsed: unknown, isHandled: (body: SlackBody) => boolean): BodyJudgement {
  if (!isSlackBody(parsed)) return { verdict: "refuse", what: describeNonObject(parsed) };
  // Before `isHandled`: a click with no `actions` is no click to Bolt, but it is a broken one.
  const problem = shapeProblemOf(parsed);
  if (problem !== undefined) return { verdict: "malformed", body: parsed, problem };
  if (!isHandled(parsed)) return { verdict: "acknowledge", body: parsed };
  return { verdict: "pass", body: parsed };
}
