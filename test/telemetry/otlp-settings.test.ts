import { describe, expect, it } from "vitest";
import { isBatonError } from "../../src/core/errors.js";
import { tracingSettingsOf } from "../../src/otlp-settings.js";

/** The OTLP exporter variables as the OpenTelemetry specification defines them (otlp-settings.ts cites it). */
describe("tracing settings from OTEL_* variables", () => {
  it("are off without an endpoint, or when the SDK or the traces exporter is disabled", () => {
    expect(tracingSettingsOf({})).toBeUndefined();
    expect(tracingSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" })).toBeUndefined();
    expect(tracingSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
  });

  it("append v1/traces to the base endpoint, use the traces endpoint as is, default to protobuf", () => {
    expect(tracingSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toEqual({
      url: "http://collector:4318/v1/traces",
      protocol: "http/protobuf",
      headers: {},
      timeoutMs: 10_000,
      serviceName: "baton",
    });
    expect(tracingSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example/prefix/" })?.url).toBe("https://otel.example/prefix/v1/traces");
    expect(tracingSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318/custom" })?.url).toBe(
      "http://b:4318/custom",
    );
  });

  it("read protocol, headers, timeout and service name, the traces-specific variable first", () => {
    const settings = tracingSettingsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=a%3Db,x-team=ops",
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2500",
      OTEL_SERVICE_NAME: "baton-prod",
    });
    expect(settings).toEqual({
      url: "http://collector:4318/v1/traces",
      protocol: "http/json",
      headers: { "api-key": "a=b", "x-team": "ops" },
      timeoutMs: 2_500,
      serviceName: "baton-prod",
    });
  });

  it("refuse what baton cannot do, naming the variable and the fix", () => {
    const failure = (environment: Record<string, string>): unknown => {
      try {
        tracingSettingsOf(environment);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const grpc = failure({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" });
    expect(isBatonError(grpc, "CONFIG_INVALID") && grpc.details).toEqual({ variable: "OTEL_EXPORTER_OTLP_PROTOCOL" });
    expect(failure({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("such as http://localhost:4318"),
    });
    expect(failure({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_HEADERS: "novalue" })).toMatchObject({ code: "CONFIG_INVALID" });
    expect(failure({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_TIMEOUT: "soon" })).toMatchObject({ code: "CONFIG_INVALID" });
  });
});
