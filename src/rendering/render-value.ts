/**
 * Step outputs rendered for people at a terminal: keys become headings or labels, arrays become
 * bullet lists, and short objects in a list fold onto one line. Never raw JSON.
 */

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `monthlyTotalLow` → `Monthly total low`, `cost-estimate` → `Cost estimate`. */
export function humanizeKey(key: string): string {
  const spaced = key
    .replace(/[-_]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : String(value);
  return String(value);
}

function isScalar(value: unknown): boolean {
  return value === null || value === undefined || ["string", "number", "boolean"].includes(typeof value);
}

/** An object whose values are all scalars, as `key: value · key: value` (or `id — text`). */
function inlineObject(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([key, item]) => `${humanizeKey(key)}: ${scalar(item)}`)
    .join(" · ");
}

function renderLines(value: unknown, indent: string): string[] {
  if (isScalar(value)) return [`${indent}${scalar(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}(none)`];
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${indent}• ${scalar(item)}`];
      if (isPlainObject(item) && Object.values(item).every(isScalar)) return [`${indent}• ${inlineObject(item)}`];
      const [first = "", ...rest] = renderLines(item, `${indent}  `);
      return [`${indent}• ${first.trimStart()}`, ...rest];
    });
  }
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => {
      if (isScalar(item)) return [`${indent}${humanizeKey(key)}: ${scalar(item)}`];
      return [`${indent}${humanizeKey(key)}:`, ...renderLines(item, `${indent}  `)];
    });
  }
  return [`${indent}${String(value)}`];
}

export function renderValue(value: unknown, indent = ""): string {
  return renderLines(value, indent).join("\n");
}
