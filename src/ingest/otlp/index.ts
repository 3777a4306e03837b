// OpenTelemetry ingest: OTLP/HTTP (protobuf and JSON) on the main port, OTLP/gRPC on its own
// port, both mapping spans, logs and metrics to events (docs/opentelemetry.md).
export { registerOtlpHttpRoutes } from './http-routes.js';
export { startOtlpGrpcServer, type OtlpGrpcServer, type GrpcOptions } from './grpc-server.js';
export { exportRequest, type OtlpDeps, type TraceIndexWriter } from './export.js';
export type { TraceRef } from './mapped.js';
export { decodeRequest, encodeRequest, decodeResponse, decodeStatus, type Signal } from './codec.js';
