//! Where each register's events go: the read models and cascades of the other registers
//! (`readmodels`), and the systems outside (a Notificaties API, webhooks, a Logboek).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use platform::db::Db;
use platform::events::{Relay, Subscriber, Target};
use platform::metrics::Metrics;
use platform::outbound::Outside;
use reference::internal::{Endpoint, INTERNAL_PATH};
use reference::Register;

use crate::{readmodels, Settings};

/// How long a write waits for the other registers' read models to have its events.
const READ_YOUR_WRITES: Duration = Duration::from_millis(500);

/// A relay per served register. Each served register's outbox goes to the read models the
/// others keep of it (at `peers`); subscribers in this process get a write's events before it
/// answers.
pub fn of(
    settings: &Settings,
    dbs: &HashMap<Register, Db>,
    peers: &HashMap<Register, String>,
    service_token: &str,
    metrics: &Arc<Metrics>,
) -> HashMap<Register, Relay> {
    dbs.iter()
        .map(|(source, db)| {
            let subscribers: Vec<Subscriber> = Register::ALL
                .into_iter()
                .filter_map(|holder| {
                    let topics = readmodels::topics(*source, holder);
                    let peer = peers.get(&holder).filter(|_| !topics.is_empty())?;
                    Some(Subscriber {
                        name: holder.name().into(),
                        target: Target::Register {
                            url: format!("{peer}{INTERNAL_PATH}{}", Endpoint::Events.path(holder)),
                        },
                        topics,
                    })
                })
                .collect();
            // A write waits (bounded) for the other registers to have its events, so the
            // client's next request sees them there; outside systems are told after.
            let subscribers = subscribers.into_iter().chain(external(settings)).collect();
            let relay = Relay::new(
                source.name(),
                db.clone(),
                subscribers,
                service_token.to_owned(),
            )
            .with_read_your_writes(READ_YOUR_WRITES)
            .with_metrics(Arc::clone(metrics))
            .with_retention(Duration::from_secs(settings.outbox_retention_hours * 3600));
            (*source, relay)
        })
        .collect()
}

/// Whether systems outside listen: only then do writes store notificaties and zaak events.
pub fn outside(settings: &Settings) -> Outside {
    Outside {
        listens: !settings.webhooks.is_empty() || settings.notificaties.url.is_some(),
    }
}

/// The systems outside the registers that hear of every notificatie and zaak event, and the
/// external Logboek that takes every Logboek record.
fn external(settings: &Settings) -> Vec<Subscriber> {
    const TOPICS: [&str; 2] = ["notificatie", "zaak"];
    let source = settings
        .events_source
        .clone()
        .unwrap_or_else(|| "urn:klantinteracties".into());
    let mut subscribers: Vec<Subscriber> = settings
        .webhooks
        .iter()
        .map(|url| Subscriber {
            name: format!("webhook {url}"),
            target: Target::Webhook {
                url: url.clone(),
                source: source.clone(),
            },
            topics: TOPICS.to_vec(),
        })
        .collect();
    if let Some(url) = &settings.logboek.url {
        subscribers.push(Subscriber {
            name: "logboek".into(),
            target: Target::Logboek {
                url: url.clone(),
                authorization: settings.logboek.authorization.clone(),
            },
            topics: vec![platform::logboek::TOPIC],
        });
    }
    if let Some(root) = &settings.notificaties.url {
        subscribers.push(Subscriber {
            name: "notificaties".into(),
            target: Target::Notificaties {
                root: root.clone(),
                client_id: settings.notificaties.client_id.clone(),
                secret: settings.notificaties.secret.clone(),
                source: settings.events_source.clone(),
            },
            topics: TOPICS.to_vec(),
        });
    }
    subscribers
}
