import { createHmac, timingSafeEqual, type Hmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** Webhook authentication: a bearer token, or a signature over the raw body (PagerDuty V3, GitHub). */

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
 * `X-PagerDuty-Signature: v1=<hex>,v1=<hex>`: HMAC-SHA256 of the exact body bytes. Any listed
 * signature may match any configured secret, so a secret can be rotated without downtime.
 */
export function pagerDutySignatureMatches(headers: IncomingHttpHeaders, rawBody: Buffer, secrets: ReadonlyArray<string>): boolean {
  const header = headers["x-pagerduty-signature"];
  if (typeof header !== "string") return false;
  const given = header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => part.slice(3));
  return secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(rawBody).digest("hex");
    return given.some((signature) => sameSecret(signature, expected));
  });
}

/** The hex digest an `X-Hub-Signature-256: sha256=<hex>` header carries, or undefined when there is none. */
export function githubSignatureOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers["x-hub-signature-256"];
  if (typeof header !== "string") return undefined;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  return match?.[1]?.toLowerCase();
}

/**
 * GitHub's signature checked while the body streams in: every chunk goes into one HMAC per
 * configured secret, so the check needs no second pass over (or copy of) the body.
 */
export class GithubSignatureCheck {
  readonly #given: string;
  readonly #hmacs: Hmac[];

  constructor(given: string, secrets: ReadonlyArray<string>) {
    this.#given = given;
    this.#hmacs = secrets.map((secret) => createHmac("sha256", secret));
  }

  update(chunk: Buffer): void {
    for (const hmac of this.#hmacs) hmac.update(chunk);
  }

  /** Call once, after the last chunk. */
  matches(): boolean {
    // Every digest is computed and compared, so the time does not say which secret matched.
    return this.#hmacs.map((hmac) => sameSecret(this.#given, hmac.digest("hex"))).some(Boolean);
  }
}
