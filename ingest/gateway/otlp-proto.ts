/**
 * OTLP/HTTP protobuf for traces: the default encoding of most OpenTelemetry SDK exporters
 * (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf). A request is decoded into the OTLP/JSON shape that
 * otlp.ts maps, so both encodings go through one mapping; the answer is the protobuf response.
 * The schema below is the part of opentelemetry-proto (collector/trace/v1, trace/v1, common/v1,
 * resource/v1) a receiver needs; field numbers are the published ones.
 */
import protobuf from 'protobufjs/light.js';

const KEY_VALUES = { rule: 'repeated', type: 'KeyValue' } as const;

const root = protobuf.Root.fromJSON({
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { ...KEY_VALUES, id: 1 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: { ...KEY_VALUES, id: 3 } } },
        Resource: { fields: { attributes: { ...KEY_VALUES, id: 1 } } },
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        SpanEvent: { fields: { timeUnixNano: { type: 'fixed64', id: 1 }, name: { type: 'string', id: 2 }, attributes: { ...KEY_VALUES, id: 3 } } },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { ...KEY_VALUES, id: 9 },
            events: { rule: 'repeated', type: 'SpanEvent', id: 11 },
            status: { type: 'Status', id: 15 },
          },
        },
        ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } } },
        ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
        ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
        ExportTracePartialSuccess: { fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } } },
        ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
        // google.rpc.Status: the body OTLP/HTTP asks for on 4xx/5xx answers to protobuf requests.
        RpcStatus: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
      },
    },
  },
});

const Request = root.lookupType('otlp.ExportTraceServiceRequest');
const Response = root.lookupType('otlp.ExportTraceServiceResponse');
const RpcStatus = root.lookupType('otlp.RpcStatus');

type Json = Record<string, unknown>;

/** Trace and span ids are hex in OTLP/JSON (other bytes stay base64, as toObject gives them). */
function hexIds(span: Json): void {
  for (const k of ['traceId', 'spanId', 'parentSpanId']) {
    if (typeof span[k] === 'string') span[k] = Buffer.from(span[k] as string, 'base64').toString('hex');
  }
}

/** Decodes an ExportTraceServiceRequest into the OTLP/JSON object shape; throws on malformed bytes. */
export function decodeTraceRequest(bytes: Uint8Array): Json {
  const message = Request.decode(bytes);
  const body = Request.toObject(message, { longs: String, bytes: String }) as Json;
  for (const rs of (body.resourceSpans as Json[]) ?? []) {
    for (const ss of (rs.scopeSpans as Json[]) ?? []) for (const span of (ss.spans as Json[]) ?? []) hexIds(span);
  }
  return body;
}

/** The success answer; `partialSuccess` when some spans were rejected. */
export function encodeTraceResponse(partial?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  return Response.encode(Response.fromObject(partial ? { partialSuccess: partial } : {})).finish();
}

/** A google.rpc.Status body for an error answer (gRPC code 3 INVALID_ARGUMENT for 4xx, 14 UNAVAILABLE for 5xx). */
export function encodeRpcStatus(httpStatus: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.fromObject({ code: httpStatus >= 500 || httpStatus === 429 ? 14 : 3, message })).finish();
}
