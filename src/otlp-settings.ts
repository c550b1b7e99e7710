import { BatonError } from "./core/errors.js";

/**
 * Where and how to export traces, from the standard OpenTelemetry variables (OpenTelemetry
 * specification, "OpenTelemetry Protocol Exporter", https://opentelemetry.io/docs/specs/otel/protocol/exporter/):
 * - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as is; `OTEL_EXPORTER_OTLP_ENDPOINT` is a base
 *   URL to which `v1/traces` is appended;
 * - `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`: `http/protobuf` (the specification's default) or
 *   `http/json`; baton does not speak `grpc`;
 * - `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`: `key=value` pairs separated by commas, values URL-encoded;
 * - `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`: milliseconds (default 10000);
 * - `OTEL_SERVICE_NAME` (default `baton`); `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off.
 * With no endpoint set, tracing is off and costs nothing: no tracer is built, nothing is wrapped.
 */
export interface TracingSettings {
  url: string;
  protocol: "http/protobuf" | "http/json";
  headers: Record<string, string>;
  timeoutMs: number;
  serviceName: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

const present = (value: string | undefined): string | undefined => (value === undefined || value.trim() === "" ? undefined : value.trim());

function signalOrGeneric(environment: Environment, name: string): { variable: string; value: string } | undefined {
  for (const variable of [`OTEL_EXPORTER_OTLP_TRACES_${name}`, `OTEL_EXPORTER_OTLP_${name}`]) {
    const value = present(environment[variable]);
    if (value !== undefined) return { variable, value };
  }
  return undefined;
}

function parseUrl(variable: string, value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return url;
  } catch {
    // Reported below with the fix.
  }
  throw new BatonError(
    "CONFIG_INVALID",
    `${variable} "${value}" is not an http(s) URL. Set it to your collector's OTLP/HTTP address, such as http://localhost:4318.`,
    { variable },
  );
}

function parseHeaders(variable: string, value: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of value.split(",")) {
    if (pair.trim() === "") continue;
    const separator = pair.indexOf("=");
    if (separator <= 0)
      throw new BatonError(
        "CONFIG_INVALID",
        `${variable} has "${pair.trim()}", which is not key=value. Write headers as key1=value1,key2=value2 (values URL-encoded).`,
        { variable },
      );
    headers[decodeURIComponent(pair.slice(0, separator).trim())] = decodeURIComponent(pair.slice(separator + 1).trim());
  }
  return headers;
}

/** The trace export settings, or undefined when tracing is off. Throws CONFIG_INVALID naming the variable. */
export function tracingSettingsOf(environment: Environment): TracingSettings | undefined {
  if (present(environment["OTEL_SDK_DISABLED"])?.toLowerCase() === "true") return undefined;
  if (present(environment["OTEL_TRACES_EXPORTER"])?.toLowerCase() === "none") return undefined;
  const signalEndpoint = present(environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
  const baseEndpoint = present(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
  let url: string;
  if (signalEndpoint !== undefined) url = parseUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", signalEndpoint).href;
  else if (baseEndpoint !== undefined) {
    const base = parseUrl("OTEL_EXPORTER_OTLP_ENDPOINT", baseEndpoint).href;
    url = `${base.endsWith("/") ? base : `${base}/`}v1/traces`;
  } else return undefined;
  const protocol = signalOrGeneric(environment, "PROTOCOL");
  if (protocol !== undefined && protocol.value !== "http/protobuf" && protocol.value !== "http/json") {
    throw new BatonError(
      "CONFIG_INVALID",
      `${protocol.variable} is "${protocol.value}"; baton exports traces over OTLP/HTTP only. Set it to http/protobuf or http/json (and the endpoint to the collector's HTTP port, 4318 by default).`,
      { variable: protocol.variable },
    );
  }
  const headers = signalOrGeneric(environment, "HEADERS");
  const timeout = signalOrGeneric(environment, "TIMEOUT");
  const timeoutMs = timeout === undefined ? 10_000 : Number(timeout.value);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new BatonError("CONFIG_INVALID", `${timeout?.variable ?? "OTEL_EXPORTER_OTLP_TIMEOUT"} must be a whole number of milliseconds, such as 10000.`, {
      variable: timeout?.variable,
    });
  return {
    url,
    protocol: protocol?.value === "http/json" ? "http/json" : "http/protobuf",
    headers: headers === undefined ? {} : parseHeaders(headers.variable, headers.value),
    timeoutMs,
    serviceName: present(environment["OTEL_SERVICE_NAME"]) ?? "baton",
  };
}
