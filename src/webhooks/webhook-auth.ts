import { createHmac, timingSafeEqual, type Hmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** Webhook authentication: a bearer token, or a signature over the raw body (PagerDuty V3, GitHub), checked as it streams. */

function sameSecret(given: string, expected: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(expected);
  if (left.length !== right.length) {
    // timingSafeEqual needs equal lengths; comparing the expected value with itself keeps the time.
    timingSafeEqual(right, right);
    return false;
  }
  return timingSafeEqual(left, right);
}

export function bearerMatches(headers: IncomingHttpHeaders, token: string): boolean {
  const header = headers["authorization"];
  // The scheme name is case-insensitive (RFC 9110), and some senders write "bearer".
  const match = typeof header === "string" ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return false;
  return sameSecret(match[1], token);
}

/**
 * The hex digests an `X-PagerDuty-Signature` header carries, or undefined when it has none that
 * could match. PagerDuty sends `v1=<hex>` once per signing secret, comma-separated (several while
 * a secret rotates), each an HMAC-SHA256 of the exact body bytes in Base16, and receivers keep
 * only the `v1` entries (PagerDuty's "Verifying Signatures" page, source:
 * https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/04-Signatures.md).
 */
export function pagerDutySignaturesOf(headers: IncomingHttpHeaders): string[] | undefined {
  const header = headers["x-pagerduty-signature"];
  if (typeof header !== "string") return undefined;
  const given = header
    .split(",")
    .map((part) => /^v1=([0-9a-f]{64})$/i.exec(part.trim())?.[1]?.toLowerCase())
    .filter((signature) => signature !== undefined);
  return given.length > 0 ? [...new Set(given)] : undefined;
}

/** The hex digest an `X-Hub-Signature-256: sha256=<hex>` header carries, or undefined when there is none. */
export function githubSignatureOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers["x-hub-signature-256"];
  if (typeof header !== "string") return undefined;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  return match?.[1]?.toLowerCase();
}

/**
 * A body's HMAC-SHA256 signature checked while the body streams in (GitHub, PagerDuty): every
 * chunk goes into one HMAC per configured secret, so the check needs no second pass over (or
 * copy of) the body. Any given digest may match any secret, so a secret can be rotated.
 */
export class StreamingSignatureCheck {
  readonly #given: ReadonlyArray<string>;
  readonly #hmacs: Hmac[];

  /** `given`: the lowercase hex digests the request carries; `secrets`: the configured ones. */
  constructor(given: ReadonlyArray<string>, secrets: ReadonlyArray<string>) {
    this.#given = given;
    this.#hmacs = secrets.map((secret) => createHmac("sha256", secret));
  }

  update(chunk: Buffer): void {
    for (const hmac of this.#hmacs) hmac.update(chunk);
  }

  /** Call once, after the last chunk. */
  matches(): boolean {
    // Every digest is compared with every given one, so the time does not say which matched.
    const comparisons = this.#hmacs.flatMap((hmac) => {
      const expected = hmac.digest("hex");
      return this.#given.map((signature) => sameSecret(signature, expected));
    });
    return comparisons.some(Boolean);
  }
}
