/**
 * Just enough of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/) to
 * read an OTLP `ExportTraceServiceRequest` as opentelemetry-proto defines it
 * (opentelemetry/proto/collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
 * common/v1/common.proto, resource/v1/resource.proto). Field numbers are the .proto files'.
 */

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
  status: { code: number; message: string };
  resource: Record<string, unknown>;
}

type Field = { number: number; wireType: number; value: bigint | Uint8Array };

function* fields(bytes: Uint8Array): Generator<Field> {
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[offset++];
      if (byte === undefined) throw new Error("truncated varint");
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const fixed = (size: number): bigint => {
    let result = 0n;
    for (let index = size - 1; index >= 0; index -= 1) result = (result << 8n) | BigInt(bytes[offset + index] ?? 0);
    offset += size;
    return result;
  };
  while (offset < bytes.length) {
    const key = Number(varint());
    const number = key >> 3;
    const wireType = key & 7;
    if (wireType === 0) yield { number, wireType, value: varint() };
    else if (wireType === 1) yield { number, wireType, value: fixed(8) };
    else if (wireType === 5) yield { number, wireType, value: fixed(4) };
    else if (wireType === 2) {
      const length = Number(varint());
      yield { number, wireType, value: bytes.subarray(offset, offset + length) };
      offset += length;
    } else throw new Error(`unsupported wire type ${String(wireType)}`);
  }
}

const text = (value: bigint | Uint8Array): string => (value instanceof Uint8Array ? new TextDecoder().decode(value) : "");
const hex = (value: bigint | Uint8Array): string => (value instanceof Uint8Array ? Buffer.from(value).toString("hex") : "");
const sub = (value: bigint | Uint8Array): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array());

function anyValue(bytes: Uint8Array): unknown {
  for (const field of fields(bytes)) {
    if (field.number === 1) return text(field.value);
    if (field.number === 2) return field.value === 1n;
    if (field.number === 3) return Number(BigInt.asIntN(64, field.value as bigint));
    if (field.number === 4) return new DataView(new BigUint64Array([field.value as bigint]).buffer).getFloat64(0, true);
    if (field.number === 5) return [...fields(sub(field.value))].filter((item) => item.number === 1).map((item) => anyValue(sub(item.value)));
  }
  return undefined;
}

function keyValues(list: ReadonlyArray<Uint8Array>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const entry of list) {
    let key = "";
    let value: unknown;
    for (const field of fields(entry)) {
      if (field.number === 1) key = text(field.value);
      if (field.number === 2) value = anyValue(sub(field.value));
    }
    result[key] = value;
  }
  return result;
}

function span(bytes: Uint8Array, resource: Record<string, unknown>): DecodedSpan {
  const decoded: DecodedSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    status: { code: 0, message: "" },
    resource,
  };
  const attributes: Uint8Array[] = [];
  for (const field of fields(bytes)) {
    if (field.number === 1) decoded.traceId = hex(field.value);
    else if (field.number === 2) decoded.spanId = hex(field.value);
    else if (field.number === 4) decoded.parentSpanId = hex(field.value);
    else if (field.number === 5) decoded.name = text(field.value);
    else if (field.number === 6) decoded.kind = Number(field.value);
    else if (field.number === 7) decoded.startTimeUnixNano = field.value as bigint;
    else if (field.number === 8) decoded.endTimeUnixNano = field.value as bigint;
    else if (field.number === 9) attributes.push(sub(field.value));
    else if (field.number === 15) {
      for (const status of fields(sub(field.value))) {
        if (status.number === 2) decoded.status.message = text(status.value);
        if (status.number === 3) decoded.status.code = Number(status.value);
      }
    }
  }
  decoded.attributes = keyValues(attributes);
  return decoded;
}

/** The spans of an `ExportTraceServiceRequest` in protobuf. */
export function decodeTraceRequest(bytes: Uint8Array): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const resourceSpans of fields(bytes)) {
    if (resourceSpans.number !== 1) continue;
    let resource: Record<string, unknown> = {};
    const scopes: Uint8Array[] = [];
    for (const field of fields(sub(resourceSpans.value))) {
      if (field.number === 1) resource = keyValues([...fields(sub(field.value))].filter((item) => item.number === 1).map((item) => sub(item.value)));
      if (field.number === 2) scopes.push(sub(field.value));
    }
    for (const scope of scopes) for (const field of fields(scope)) if (field.number === 2) spans.push(span(sub(field.value), resource));
  }
  return spans;
}
