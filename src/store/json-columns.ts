import { deflateRawSync, inflateRawSync } from "node:zlib";

/**
 * How JSON values are kept in SQLite columns.
 *
 * Values are stored as JSON text, readable with the `sqlite3` shell. Values whose text is at
 * least `COMPRESS_FROM_BYTES` long (a long document, a big diff) are stored as a BLOB: one
 * format byte, then the raw-deflated JSON text; the format byte lets a later version switch
 * algorithms without a migration. Earlier versions compressed from 512 bytes, so a database
 * holds BLOBs of every size: reading does not depend on the threshold.
 */

/** The value as it goes into a column: JSON text, or a format byte + compressed JSON. */
export type JsonColumnValue = string | Buffer;

const FORMAT_DEFLATE_RAW = 1;

/**
 * Each `deflateRawSync` call builds and frees a zlib stream, a fixed cost that is most of the
 * call for a value of a few KB (an ordinary step output) and saves it no more than a few
 * database pages. Past this size the bytes saved are worth it.
 */
export const COMPRESS_FROM_BYTES = 4096;

/** Level 1, the fastest: JSON repeats its keys, which even the fastest level finds. */
const DEFLATE_OPTIONS = { level: 1 } as const;

export interface JsonColumnOptions {
  /** Store JSON of at least this many characters compressed; `Infinity` turns it off. */
  compressFromBytes: number;
}

/** `undefined` (a missing value) is stored as JSON `null`, which is how it reads back. */
export function encodeJson(value: unknown, options: JsonColumnOptions): JsonColumnValue {
  const text = JSON.stringify(value) ?? "null";
  if (text.length < options.compressFromBytes) return text;
  const stored = deflateWithFormatByte(text);
  // Incompressible text (already-encoded data, random ids) stays text: smaller and readable.
  return stored.length >= Buffer.byteLength(text) ? text : stored;
}

/** The format byte, then the raw-deflated text. */
function deflateWithFormatByte(text: string): Buffer {
  const compressed = deflateRawSync(text, DEFLATE_OPTIONS);
  const withFormat = Buffer.allocUnsafe(compressed.length + 1);
  withFormat[0] = FORMAT_DEFLATE_RAW;
  compressed.copy(withFormat, 1);
  return withFormat;
}

export function encodeNullableJson(value: unknown, options: JsonColumnOptions): JsonColumnValue | null {
  return value === null || value === undefined ? null : encodeJson(value, options);
}

/** Thrown for a column that cannot be decoded; the store turns it into `DATABASE_CORRUPT`. */
export class JsonColumnError extends Error {
  override readonly name = "JsonColumnError";
}

/** The stored JSON as a value; `unknown` until the caller parses it with its schema. */
export function decodeJson(stored: JsonColumnValue): unknown {
  let text: string;
  if (typeof stored === "string") {
    text = stored;
  } else {
    if (stored[0] !== FORMAT_DEFLATE_RAW) {
      throw new JsonColumnError(`unknown JSON column format ${String(stored[0])}`);
    }
    try {
      text = inflateRawSync(stored.subarray(1)).toString("utf8");
    } catch (error) {
      throw new JsonColumnError(`compressed JSON column cannot be inflated`, { cause: error });
    }
  }
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch (error) {
    throw new JsonColumnError(`JSON column is not valid JSON`, { cause: error });
  }
}

export function decodeNullableJson(stored: JsonColumnValue | null): unknown {
  return stored === null ? null : decodeJson(stored);
}
