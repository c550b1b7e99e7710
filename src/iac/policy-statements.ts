import { read } from "./policy.js";

/**
 * The statements of an IAM or resource policy, whichever way Terraform shows it: a JSON string
 * (a plan, a heredoc in a diff) or the object a diff's `jsonencode(…)` encodes. Principals are
 * flattened to their values (`"*"` and `{"AWS": "*"}` both give `"*"`).
 */

export interface Statement {
  effect: string;
  principals: string[];
  actions: string[];
  resources: string[];
  /** The statement as written, to tell the statements a change adds from those it keeps. */
  canonical: string;
}

/** JSON with object keys sorted at every level: equal values, equal text. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([left], [right]) => left.localeCompare(right)))
      : inner,
  );

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function principalsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  const record = asRecord(value);
  return record ? Object.values(record).flatMap((inner) => read.strings(inner)) : [];
}

/** undefined when the policy is not readable (unknown until apply, a reference, a templatefile). */
export function statementsOf(policy: unknown): Statement[] | undefined {
  let document: unknown = policy;
  if (typeof policy === "string") {
    try {
      document = JSON.parse(policy);
    } catch {
      return undefined;
    }
  }
  const statement = asRecord(document)?.["Statement"];
  if (statement === undefined) return undefined;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.flatMap((item) => {
    const record = asRecord(item);
    if (!record) return [];
    return [
      {
        effect: typeof record["Effect"] === "string" ? record["Effect"] : "Allow",
        principals: principalsOf(record["Principal"]),
        actions: read.strings(record["Action"]),
        resources: read.strings(record["Resource"]),
        canonical: canonicalJson(record),
      },
    ];
  });
}

/** The statements of `after` that `before` does not have (all of them when there is no before). */
export function addedStatements(before: unknown, after: unknown): Statement[] {
  const kept = new Set((statementsOf(before) ?? []).map((statement) => statement.canonical));
  return (statementsOf(after) ?? []).filter((statement) => !kept.has(statement.canonical));
}
