import { BatonError } from "./errors.js";

/** A duration: milliseconds, or text such as `90s`, `30m`, `4h`, `2d`. */
export type Duration = number | `${number}${"s" | "m" | "h" | "d"}`;

/** Milliseconds in a `Duration`. */
export function durationToMs(duration: Duration): number {
  if (typeof duration === "number") return duration;
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(duration);
  if (!match)
    throw new BatonError("CHAIN_INVALID", `Duration "${duration}" is not valid. Write a number followed by s, m, h or d, such as "30m".`, { duration });
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
