//! What a register that receives events uses for its read models.

/// Applies a batch's events of one topic to a read model (rows keyed by `$key`, with an
/// `event_id` column): `apply_if_newer!(conn, table, key, batch.of::<T>(), |event| values)`. A
/// row that already reflects an event or a newer one is left as it is, so a batch delivered
/// twice, or an older event arriving late, changes nothing. What is stored is read in one
/// statement for the whole batch.
#[macro_export]
macro_rules! apply_if_newer {
    ($conn:expr, $table:ident, $key:ident, $events:expr, |$event:ident| $values:expr) => {{
        let events: Vec<_> = $events.collect();
        let uuids: Vec<&str> = events.iter().map(|(e, _)| e.uuid.as_str()).collect();
        let mut stored: std::collections::HashMap<String, i64> = if uuids.is_empty() {
            Default::default()
        } else {
            $table::table
                .filter($table::$key.eq_any(&uuids))
                .select(($table::$key, $table::event_id))
                .load::<(String, i64)>($conn)?
                .into_iter()
                .collect()
        };
        for (event, $event) in events {
            match stored.get(&event.uuid) {
                Some(known) if *known >= event.id => continue,
                Some(_) => {
                    diesel::update($table::table.find(&event.uuid))
                        .set(($values, $table::event_id.eq(event.id)))
                        .execute($conn)?;
                }
                None => {
                    diesel::insert_into($table::table)
                        .values((
                            $table::$key.eq(&event.uuid),
                            $values,
                            $table::event_id.eq(event.id),
                        ))
                        .execute($conn)?;
                }
            }
            stored.insert(event.uuid.clone(), event.id);
        }
    }};
}
