/** One changed value between a proposal and its edit, addressed by a readable path. */
export interface JsonChange {
  path: string;
  before: unknown;
  after: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/**
 * The changes that turn `before` into `after`, recursing into objects and arrays, so the audit
 * log shows what a reviewer edited rather than two whole documents.
 */
export function diffJson(before: unknown, after: unknown, path = ""): JsonChange[] {
  if (Object.is(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const changes: JsonChange[] = [];
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) changes.push(...diffJson(before[key], after[key], join(path, key)));
    return changes;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: JsonChange[] = [];
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index += 1) changes.push(...diffJson(before[index], after[index], join(path, index)));
    return changes;
  }
  return [{ path: path === "" ? "(root)" : path, before, after }];
}
