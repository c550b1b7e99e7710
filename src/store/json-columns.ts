import { constants, createDeflateRaw, createInflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";

/**
 * How JSON values are kept in SQLite columns.
 *
 * Small values are stored as JSON text, readable with the `sqlite3` shell. Values whose text
 * is at least `COMPRESS_FROM_BYTES` long (step outputs, proposals, big inputs) are stored as a
 * BLOB: one format byte, then the raw-deflated JSON text. Step outputs are most of a run's
 * bytes and model JSON repeats its keys and phrases, so this roughly halves a chain's
 * footprint; the format byte lets a later version switch algorithms without a migration.
 */

/** The value as it goes into a column: JSON text, or a format byte + compressed JSON. */
export type JsonColumnValue = string | Buffer;

const FORMAT_DEFLATE_RAW = 1;

/** Below this, deflate's fixed cost (about 10 µs a call) buys too few bytes. */
export const COMPRESS_FROM_BYTES = 512;

/**
 * Level 1: on model JSON it gives within ~10% of level 6's size at up to half the CPU on
 * larger values. A 4 KB window covers typical outputs; the small memory level and output
 * chunk make the per-call setup cheaper, which is most of the cost at 1 KB: Node allocates
 * the output chunk on every call (16 KB by default), and a 1 KB chunk comes from Buffer's
 * shared pool instead of a fresh allocation. A compressed output rarely needs a second chunk.
 */
const DEFLATE_OPTIONS = { level: 1, windowBits: 12, memLevel: 4, chunkSize: 1024 } as const;

export interface JsonColumnOptions {
  /** Store JSON of at least this many characters compressed; `Infinity` turns it off. */
  compressFromBytes: number;
}

/** `undefined` (a missing value) is stored as JSON `null`, which is how it reads back. */
export function encodeJson(value: unknown, options: JsonColumnOptions): JsonColumnValue {
  const text = JSON.stringify(value) ?? "null";
  if (text.length < options.compressFromBytes) return text;
  const bytes = Buffer.byteLength(text);
  const stored = deflateWithFormatByte(text, bytes);
  // Incompressible text (already-encoded data, random ids) stays text: smaller and readable.
  return stored.length >= bytes ? text : stored;
}

/** The format byte, then the raw-deflated text. */
function deflateWithFormatByte(text: string, bytes: number): Buffer {
  const stored = reusedZlib?.deflate(text, bytes);
  if (stored !== undefined) return stored;
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
      text = reusedZlib?.inflate(stored) ?? inflateRawSync(stored.subarray(1)).toString("utf8");
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

// ─── One deflate and one inflate stream, reset for every value ─────────────────

/** The native zlib stream behind Node's zlib objects (`_handle`), as its sync functions use it. */
interface NativeZlib {
  reset(): void;
  writeSync(flush: number, input: Buffer, inOffset: number, inLength: number, output: Buffer, outOffset: number, outLength: number): void;
}

const REUSED_INPUT_BYTES = 16 * 1024;
const REUSED_OUTPUT_BYTES = 64 * 1024;

/**
 * `deflateRawSync`/`inflateRawSync` build a zlib stream object (a Node Transform stream plus
 * zlib's own state, ~30 KB) for every call and free it after: at the size of a step output that
 * setup is most of the call, and in the engine's loop it measured 25-35 µs of each step commit.
 * These keep one native stream of each kind and reset it per value (`deflateReset`, the same
 * output byte for byte). They use the `_handle` and `_writeState` that Node's own sync functions
 * use; when those are missing or do not behave (another Node version), the self-check below
 * fails and the plain functions are used. Values too big for the buffers also take the plain path.
 */
function makeReusedZlib() {
  type Internals = { _handle?: NativeZlib; _writeState?: Uint32Array; destroyed: boolean };
  const deflateStream = createDeflateRaw(DEFLATE_OPTIONS);
  const inflateStream = createInflateRaw();
  // A zlib error (a damaged column) destroys the stream and closes its handle: from then on the
  // plain functions are used, which throw the error where it belongs. Without a listener the
  // stream's 'error' event would end the process.
  let broken = false;
  deflateStream.on("error", () => (broken = true));
  inflateStream.on("error", () => (broken = true));
  const deflater = deflateStream as unknown as Internals;
  const inflater = inflateStream as unknown as Internals;
  const deflateHandle = deflater._handle;
  const inflateHandle = inflater._handle;
  const deflateState = deflater._writeState;
  const inflateState = inflater._writeState;
  if (!deflateHandle || !inflateHandle || !deflateState || !inflateState) return undefined;
  const input = Buffer.allocUnsafeSlow(REUSED_INPUT_BYTES);
  const output = Buffer.allocUnsafeSlow(REUSED_OUTPUT_BYTES);
  /** Runs one whole value through the stream; the bytes written to `output` from `outOffset`, or undefined when it did not fit. */
  const run = (handle: NativeZlib, state: Uint32Array, source: Buffer, length: number, outOffset: number): number | undefined => {
    if (broken || deflater.destroyed || inflater.destroyed) return undefined;
    try {
      handle.reset();
      handle.writeSync(constants.Z_FINISH, source, 0, length, output, outOffset, output.length - outOffset);
    } catch {
      broken = true;
      return undefined;
    }
    if (deflater.destroyed || inflater.destroyed) broken = true;
    if (broken) return undefined;
    const [outLeft, inLeft] = state;
    // Everything read, and room left over: the stream ended inside the buffer.
    if (inLeft !== 0 || outLeft === undefined || outLeft === 0) return undefined;
    return output.length - outOffset - outLeft;
  };
  return {
    deflate(text: string, bytes: number): Buffer | undefined {
      if (bytes > input.length) return undefined;
      input.write(text, 0, "utf8");
      const written = run(deflateHandle, deflateState, input, bytes, 1);
      if (written === undefined) return undefined;
      output[0] = FORMAT_DEFLATE_RAW;
      return Buffer.from(output.subarray(0, written + 1));
    },
    /** `stored` with its format byte. */
    inflate(stored: Buffer): string | undefined {
      const written = run(inflateHandle, inflateState, stored.subarray(1), stored.length - 1, 0);
      return written === undefined ? undefined : output.toString("utf8", 0, written);
    },
  };
}

/** The reused streams, when they round-trip a sample exactly as the plain functions do. */
const reusedZlib = (() => {
  try {
    const reused = makeReusedZlib();
    if (reused === undefined) return undefined;
    const sample = JSON.stringify({ check: "reused zlib streams", values: Array.from({ length: 64 }, (_, index) => `value ${String(index % 7)}`) });
    const plain = deflateRawSync(sample, DEFLATE_OPTIONS);
    for (let round = 0; round < 2; round += 1) {
      const stored = reused.deflate(sample, Buffer.byteLength(sample));
      if (stored === undefined || !stored.subarray(1).equals(plain) || reused.inflate(stored) !== sample) return undefined;
    }
    return reused;
  } catch {
    return undefined;
  }
})();
