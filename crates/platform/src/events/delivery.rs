//! The HTTP side of a delivery: a batch to another register or to an external Logboek, or event
//! by event to a webhook or a Notificaties API.

use super::relay::{Relay, Subscriber, Target};
use super::Batch;

impl Relay {
    /// Sends a batch; on failure, how far it got (the last event that went out) and why.
    pub(super) async fn send(
        &self,
        subscriber: &Subscriber,
        batch: &Batch,
    ) -> Result<(), (Option<i64>, anyhow::Error)> {
        let ok = |response: reqwest::Response, url: &str| {
            if response.status().is_success() {
                Ok(())
            } else {
                Err(anyhow::anyhow!("{url} answered {}", response.status()))
            }
        };
        match &subscriber.target {
            Target::Register { url } => {
                let sent = self
                    .client
                    .post(url)
                    .header("Authorization", format!("Token {}", self.token))
                    .json(batch)
                    .send()
                    .await
                    .map_err(anyhow::Error::from)
                    .and_then(|r| ok(r, url));
                sent.map_err(|e| (None, e))
            }
            Target::Webhook { url, source } => {
                let mut through = None;
                for event in &batch.events {
                    if let Some(cloud) = crate::outbound::cloud_event(event, source) {
                        self.client
                            .post(url)
                            .header("Content-Type", "application/cloudevents+json")
                            .body(cloud.to_string())
                            .send()
                            .await
                            .map_err(anyhow::Error::from)
                            .and_then(|r| ok(r, url))
                            .map_err(|e| (through, e))?;
                    }
                    through = Some(event.id);
                }
                Ok(())
            }
            Target::Logboek { url, authorization } => {
                let records: Vec<&serde_json::Value> =
                    batch.events.iter().map(|event| &event.payload).collect();
                let mut request = self.client.post(url).json(&records);
                if let Some(authorization) = authorization {
                    request = request.header("Authorization", authorization);
                }
                let sent = request
                    .send()
                    .await
                    .map_err(anyhow::Error::from)
                    .and_then(|r| ok(r, url));
                sent.map_err(|e| (None, e))
            }
            Target::Notificaties {
                root,
                client_id,
                secret,
                source,
            } => {
                let root = root.trim_end_matches('/');
                let mut through = None;
                for event in &batch.events {
                    let request = if let Some(message) =
                        crate::outbound::notificatie(event, source.as_deref())
                    {
                        Some((format!("{root}/notificaties"), "application/json", message))
                    } else {
                        // Open Klant sends CloudEvents only when it has a source to name.
                        source.as_deref().and_then(|s| {
                            crate::outbound::cloud_event(event, s).map(|c| {
                                (
                                    format!("{root}/cloudevents"),
                                    "application/cloudevents+json",
                                    c,
                                )
                            })
                        })
                    };
                    if let Some((url, content_type, body)) = request {
                        self.client
                            .post(&url)
                            .header(
                                "Authorization",
                                format!("Bearer {}", crate::outbound::zgw_jwt(client_id, secret)),
                            )
                            .header("Content-Type", content_type)
                            .body(body.to_string())
                            .send()
                            .await
                            .map_err(anyhow::Error::from)
                            .and_then(|r| ok(r, &url))
                            .map_err(|e| (through, e))?;
                    }
                    through = Some(event.id);
                }
                Ok(())
            }
        }
    }
}
