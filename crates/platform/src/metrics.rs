//! Metrics, through OpenTelemetry: readable at `/metrics` in the Prometheus text format, and
//! exported over OTLP as well when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_METRICS_ENDPOINT`) is set.
//!
//! - `http_server_request_duration_seconds`: every API call, by method, route (the resource,
//!   never an id) and status; its `_count` is the request rate, status 5xx the errors;
//! - `klantinteracties_event_delivery_lag_seconds`: from an event's write to its delivery, by
//!   register and subscriber (to another register: the read-model lag);
//! - `klantinteracties_outbox_backlog`: events not yet delivered, by register and subscriber;
//! - `klantinteracties_db_connections` / `…_db_connections_idle`: pool usage per database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use opentelemetry::metrics::{Histogram, MeterProvider as _};
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::SdkMeterProvider;

use crate::db::Db;

/// An application's metrics (one per application, so two in one process stay apart).
pub struct Metrics {
    registry: prometheus::Registry,
    requests: Histogram<f64>,
    delivery_lag: Histogram<f64>,
    backlog: Arc<Mutex<HashMap<(String, String), i64>>>,
    pools: Arc<Mutex<Vec<(String, Db)>>>,
    provider: SdkMeterProvider,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = prometheus::Registry::new();
        let mut builder = SdkMeterProvider::builder();
        match opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .without_target_info()
            .build()
        {
            Ok(exporter) => builder = builder.with_reader(exporter),
            Err(error) => eprintln!("no /metrics: {error}"),
        }
        let otlp = [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        ]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.is_empty()));
        if otlp {
            match opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .build()
            {
                Ok(exporter) => {
                    builder = builder.with_reader(
                        opentelemetry_sdk::metrics::PeriodicReader::builder(exporter).build(),
                    )
                }
                Err(error) => eprintln!("metrics are not exported: {error}"),
            }
        }
        let provider = builder.build();
        let meter = provider.meter("klantinteracties");
        let requests = meter
            .f64_histogram("http.server.request.duration")
            .with_unit("s")
            .with_description("API calls, by method, route and status")
            .with_boundaries(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ])
            .build();
        let delivery_lag = meter
            .f64_histogram("klantinteracties.event.delivery.lag")
            .with_unit("s")
            .with_description("From an event's write to its delivery, by register and subscriber")
            .with_boundaries(vec![
                0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0,
            ])
            .build();
        let backlog: Arc<Mutex<HashMap<(String, String), i64>>> = Arc::default();
        let seen = Arc::clone(&backlog);
        meter
            .i64_observable_gauge("klantinteracties.outbox.backlog")
            .with_description("Events not yet delivered, by register and subscriber")
            .with_callback(move |gauge| {
                if let Ok(backlog) = seen.lock() {
                    for ((register, subscriber), pending) in backlog.iter() {
                        gauge.observe(
                            *pending,
                            &[
                                KeyValue::new("register", register.clone()),
                                KeyValue::new("subscriber", subscriber.clone()),
                            ],
                        );
                    }
                }
            })
            .build();
        let pools: Arc<Mutex<Vec<(String, Db)>>> = Arc::default();
        for (name, idle) in [
            ("klantinteracties.db.connections", false),
            ("klantinteracties.db.connections.idle", true),
        ] {
            let pools = Arc::clone(&pools);
            meter
                .u64_observable_gauge(name)
                .with_description("Database connections per database (open, or idle)")
                .with_callback(move |gauge| {
                    if let Ok(pools) = pools.lock() {
                        for (database, db) in pools.iter() {
                            let (open, free) = db.pool_state();
                            let value = if idle { free } else { open };
                            gauge.observe(
                                u64::from(value),
                                &[KeyValue::new("database", database.clone())],
                            );
                        }
                    }
                })
                .build();
        }
        Self {
            registry,
            requests,
            delivery_lag,
            backlog,
            pools,
            provider,
        }
    }

    /// One API call.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests.record(
            seconds,
            &[
                KeyValue::new("http.request.method", method.to_owned()),
                KeyValue::new("http.route", route.to_owned()),
                KeyValue::new("http.response.status_code", i64::from(status)),
            ],
        );
    }

    /// An event delivered `seconds` after it was written.
    pub fn delivered(&self, register: &str, subscriber: &str, seconds: f64) {
        self.delivery_lag.record(
            seconds,
            &[
                KeyValue::new("register", register.to_owned()),
                KeyValue::new("subscriber", subscriber.to_owned()),
            ],
        );
    }

    /// The undelivered events of a subscriber, as last counted.
    pub fn backlog(&self, register: &str, subscriber: &str, pending: i64) {
        if let Ok(mut backlog) = self.backlog.lock() {
            backlog.insert((register.to_owned(), subscriber.to_owned()), pending);
        }
    }

    /// Watches a database's pool.
    pub fn watch_pool(&self, database: &str, db: &Db) {
        if let Ok(mut pools) = self.pools.lock() {
            pools.push((database.to_owned(), db.clone()));
        }
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        use prometheus::Encoder as _;
        let mut out = Vec::new();
        let _ = prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Sends what is still buffered (at shutdown).
    pub fn flush(&self) {
        let _ = self.provider.force_flush();
    }
}

/// `GET /metrics`.
pub async fn endpoint(metrics: actix_web::web::Data<Arc<Metrics>>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}

/// The route template of an API path, for metrics and span names: `{prefix}/{resource}`,
/// `{prefix}/{resource}/{uuid}`, `{prefix}/{resource}/{uuid}/audittrail`, whatever the client
/// put where the id goes (a label per id would let clients grow the series without bound).
/// Only paths the API routes are measured; anything longer is one fixed label.
pub fn route(path: &str) -> String {
    // `/{api}/api/v1/{resource}/{id}/{sub}`: the id is the sixth segment.
    let segments: Vec<&str> = path.split('/').collect();
    match segments.len() {
        0..=5 => path.to_owned(),
        6 | 7 => {
            let mut template = segments[..5].join("/");
            template.push_str("/{uuid}");
            if let Some(sub) = segments.get(6) {
                template.push('/');
                template.push_str(if *sub == "audittrail" { sub } else { "{other}" });
            }
            template
        }
        _ => "{unrouted}".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn routes_never_carry_what_the_client_put_in_the_path() {
        let api = "/klantinteracties/api/v1";
        assert_eq!(route(&format!("{api}/partijen")), format!("{api}/partijen"));
        for id in ["0cdab99e-2b2f-4224-8aa9-07e91ebc9078", "not-a-uuid", "123"] {
            assert_eq!(
                route(&format!("{api}/partijen/{id}")),
                format!("{api}/partijen/{{uuid}}")
            );
            assert_eq!(
                route(&format!("{api}/partijen/{id}/audittrail")),
                format!("{api}/partijen/{{uuid}}/audittrail")
            );
        }
        assert_eq!(route(&format!("{api}/a/b/c/d")), "{unrouted}");
    }
}
