//! Optional OTLP trace export: the spans the gateway already opens (the
//! request with its id, async-graphql's resolver spans when enabled, one per
//! backend call) sent to an OpenTelemetry collector over OTLP/HTTP.
//!
//! Off unless the standard variable `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the exporter reads the other
//! standard `OTEL_*` variables itself (`OTEL_SERVICE_NAME`, default
//! `mailgate`; `OTEL_EXPORTER_OTLP_TIMEOUT`; `OTEL_BSP_*` for batching).
//! Spans go to a bounded queue drained by the batch processor's own thread,
//! so a slow or dead collector costs dropped spans, never a slower request.

use opentelemetry::trace::TracerProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;

/// The variables that turn export on.
const ENDPOINT_VARIABLES: [&str; 2] = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

/// Flushes and stops the exporter when dropped (at the end of `main`).
pub struct OtlpGuard(SdkTracerProvider);

impl Drop for OtlpGuard {
    fn drop(&mut self) {
        if let Err(err) = self.0.shutdown() {
            eprintln!("OTLP export did not shut down cleanly: {err}");
        }
    }
}

/// A tracer exporting over OTLP/HTTP, if the environment asks for one.
pub fn from_env() -> Option<Result<(SdkTracer, OtlpGuard), String>> {
    if !ENDPOINT_VARIABLES.iter().any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty())) {
        return None;
    }
    Some(build())
}

fn build() -> Result<(SdkTracer, OtlpGuard), String> {
    let exporter = opentelemetry_otlp::SpanExporter::builder().with_http().build().map_err(|e| e.to_string())?;
    let mut resource = Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("mailgate");
    }
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource.build()).build();
    let tracer = provider.tracer("mailgate");
    Ok((tracer, OtlpGuard(provider)))
}
