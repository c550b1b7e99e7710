/**
 * Secrets out of text baton stores, shows and logs. A model server's or an API's error body is
 * relayed into run failures, cards and logs; some echo the key they were sent ("Incorrect API
 * key provided: sk-proj-…"). Anything shaped like a credential is cut to its kind.
 */

const SECRET_PATTERNS: ReadonlyArray<{ pattern: RegExp; replacement: string }> = [
  // OpenAI keys (sk-…, sk-proj-…) and Anthropic-style ones share the prefix.
  { pattern: /\bsk-[A-Za-z0-9_-]{6,}/g, replacement: "sk-[redacted]" },
  // Slack tokens: bot, user, app-level, refresh, legacy workspace (xoxb-, xoxp-, xapp-, …).
  { pattern: /\bxox[abeoprs]-[A-Za-z0-9-]{6,}/g, replacement: "xox-[redacted]" },
  { pattern: /\bxapp-[A-Za-z0-9-]{6,}/g, replacement: "xapp-[redacted]" },
  // GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained.
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{10,}/g, replacement: "gh_[redacted]" },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{10,}/g, replacement: "github_pat_[redacted]" },
  // AWS access key ids.
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replacement: "AKIA[redacted]" },
  // Whatever follows "Bearer" or "Basic" in an echoed Authorization header.
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, replacement: "$1 [redacted]" },
  // key=… / api_key: … / "token": "…" pairs.
  { pattern: /\b((?:api[_-]?key|access[_-]?token|secret|password|token)["']?\s*[:=]\s*["']?)[^\s"'&,;]{6,}/gi, replacement: "$1[redacted]" },
];

/** `text` with anything that looks like a credential replaced by its kind and `[redacted]`. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const { pattern, replacement } of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** A JSON-like value with every string in it redacted (for error details and log fields). */
export function redactSecretsIn<Value>(value: Value, depth = 0): Value {
  if (typeof value === "string") return redactSecrets(value) as Value;
  // Deep values are left as they are: log fields and error details are shallow.
  if (depth > 8 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => redactSecretsIn(item, depth + 1)) as Value;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactSecretsIn(item as unknown, depth + 1)])) as Value;
}
