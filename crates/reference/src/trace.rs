//! W3C trace context (`traceparent`) carried from a request into the calls it makes to the
//! other registers, so one trace id ties together the log lines of every register a request
//! touched; with it goes the processing activity the request serves ([`ACTIVITY_HEADER`]), so
//! the Logboek of every register it reaches names the same one.

use uuid::Uuid;

/// The trace a request belongs to and the id of its own span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 lowercase hex characters.
    pub trace_id: String,
    /// 16 lowercase hex characters.
    pub span_id: String,
    /// The processing activity (a URI) the request serves, if it names one.
    pub activity: Option<String>,
}

/// The header a request names its processing activity in (Logboek Dataverwerkingen's
/// `dpl.core.processing_activity_id`).
pub const ACTIVITY_HEADER: &str = "X-Verwerkingsactiviteit";

tokio::task_local! {
    static CURRENT: TraceContext;
}

fn hex_id(len: usize) -> String {
    let mut id = Uuid::new_v4().simple().to_string();
    id.truncate(len);
    id
}

fn is_hex_id(value: &str, len: usize) -> bool {
    value.len() == len
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && value.bytes().any(|b| b != b'0')
}

impl TraceContext {
    /// The trace id and the caller's span id of a valid `traceparent` header.
    pub fn caller(traceparent: Option<&str>) -> Option<(String, String)> {
        let mut parts = traceparent?.trim().split('-');
        let (version, trace_id, parent, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        (is_hex_id(version, 2) || version == "00")
            .then_some(())
            .filter(|()| version != "ff")?;
        (is_hex_id(trace_id, 32) && is_hex_id(parent, 16) && flags.len() == 2)
            .then(|| (trace_id.to_owned(), parent.to_owned()))
    }

    /// A span of the trace in an incoming `traceparent` header, or of a new trace when the
    /// header is missing or malformed.
    pub fn continue_from(traceparent: Option<&str>) -> Self {
        let trace_id = Self::caller(traceparent)
            .map(|(trace_id, _)| trace_id)
            .unwrap_or_else(|| hex_id(32));
        Self {
            trace_id,
            span_id: hex_id(16),
            activity: None,
        }
    }

    /// The header for a call made from this span.
    pub fn traceparent(&self) -> String {
        format!("00-{}-{}-01", self.trace_id, self.span_id)
    }

    /// Runs `work` with this as the current trace context.
    pub async fn scope<F: std::future::Future>(self, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    /// The trace context of the request being handled, if any.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continues_a_valid_trace_and_starts_a_new_one_otherwise() {
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let context = TraceContext::continue_from(Some(incoming));
        assert_eq!(context.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(context.span_id, "00f067aa0ba902b7");
        assert_eq!(
            TraceContext::caller(Some(incoming)),
            Some((
                "4bf92f3577b34da6a3ce929d0e0e4736".into(),
                "00f067aa0ba902b7".into()
            ))
        );
        assert!(context
            .traceparent()
            .starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));

        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "nonsense",
        ] {
            let context = TraceContext::continue_from(Some(bad));
            assert_ne!(
                context.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736",
                "{bad}"
            );
            assert_eq!(context.trace_id.len(), 32);
            assert_eq!(TraceContext::caller(Some(bad)), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn the_current_context_is_the_one_of_the_enclosing_scope() {
        assert_eq!(TraceContext::current(), None);
        let context = TraceContext::continue_from(None);
        let seen = context
            .clone()
            .scope(async { TraceContext::current() })
            .await;
        assert_eq!(seen, Some(context));
    }
}
