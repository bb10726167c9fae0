//! Logs and traces. Logs: readable lines on a terminal, JSON lines in production
//! (`log_format = "json"`); the level comes from `RUST_LOG` when set, else from the
//! configuration. Traces: exported over OTLP (HTTP) when the standard `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, with `OTEL_SERVICE_NAME` and the other
//! `OTEL_*` variables as usual; a request's span continues the trace of its `traceparent`, and
//! the calls it makes to other registers carry it on, so one request is one trace across them.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

/// The installed tracer provider, flushed at shutdown.
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs logging, and trace export when `OTEL_EXPORTER_OTLP_*ENDPOINT` is set. Once per
/// process; later calls do nothing.
pub fn init(format: LogFormat, level: &str) {
    init_with(format, level, otlp_provider());
}

fn otlp_provider() -> Option<SdkTracerProvider> {
    let configured = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var(name).is_ok_and(|v| !v.is_empty()));
    if !configured {
        return None;
    }
    match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
    {
        Ok(exporter) => Some(
            SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .build(),
        ),
        Err(error) => {
            eprintln!("traces are not exported: {error}");
            None
        }
    }
}

/// The HTTP layer logs what clients get wrong (a malformed head, a header or URI too long, a
/// connection dropped mid-request) at ERROR, though the client was answered 400/431/414 and
/// nothing is for an operator to do: those lines are left out, unless the filter asks for
/// `actix_http` by name.
fn quiet_http_errors(filter: EnvFilter) -> EnvFilter {
    if filter.to_string().contains("actix_http") {
        return filter;
    }
    [
        "actix_http::h1::dispatcher=off",
        "actix_http::h1::decoder=off",
    ]
    .iter()
    .filter_map(|d| d.parse().ok())
    .fold(filter, EnvFilter::add_directive)
}

/// [`init`] with a tracer provider of the caller's (tests use an in-memory exporter).
pub fn init_with(format: LogFormat, level: &str, provider: Option<SdkTracerProvider>) {
    let filter = quiet_http_errors(
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level)),
    );
    let traces = provider.map(|provider| {
        let tracer = provider.tracer("klantinteracties");
        let _ = PROVIDER.set(provider.clone());
        opentelemetry::global::set_tracer_provider(provider);
        tracing_opentelemetry::layer().with_tracer(tracer)
    });
    let registry = tracing_subscriber::registry().with(filter).with(traces);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).try_init(),
    };
}

/// Sends the spans still buffered (at shutdown).
pub fn flush() {
    if let Some(provider) = PROVIDER.get() {
        let _ = provider.force_flush();
    }
}

/// The span of one API request: a server span that continues the trace of the request's
/// `traceparent` header, and the trace context its calls to other registers carry on.
pub fn request_span(
    method: &str,
    path: &str,
    traceparent: Option<&str>,
) -> (tracing::Span, reference::TraceContext) {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    // Named by route (ids replaced), so span names stay few.
    let span = tracing::info_span!(
        "request",
        otel.name = %format!("{method} {}", crate::metrics::route(path)),
        otel.kind = "server",
        http.method = %method,
        http.path = %path,
    );
    let parent = opentelemetry::propagation::TextMapPropagator::extract(
        &opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        &Traceparent(traceparent),
    );
    let _ = span.set_parent(parent);
    let context = span.context();
    let ids = context.span().span_context().clone();
    let trace = if ids.is_valid() {
        reference::TraceContext {
            trace_id: ids.trace_id().to_string(),
            span_id: ids.span_id().to_string(),
            activity: None,
        }
    } else {
        // No trace export: the trace id of the header (or a new one) still ties the log
        // lines of the registers together.
        reference::TraceContext::continue_from(traceparent)
    };
    (span, trace)
}

/// A request's `traceparent` as the propagator reads it.
struct Traceparent<'a>(Option<&'a str>);

impl opentelemetry::propagation::Extractor for Traceparent<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        (key == "traceparent").then_some(self.0).flatten()
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_mistakes_logged_by_the_http_layer_are_left_out_unless_asked_for() {
        let quiet = quiet_http_errors(EnvFilter::new("info")).to_string();
        assert!(quiet.contains("actix_http::h1::dispatcher=off"), "{quiet}");
        let asked = quiet_http_errors(EnvFilter::new("info,actix_http=debug")).to_string();
        assert!(!asked.contains("=off"), "{asked}");
    }
}
