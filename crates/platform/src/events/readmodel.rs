//! What a register that receives events uses for its read models.

/// Applies an event to a read model's row of its object (keyed by `$key`, with an `event_id`
/// column) unless the row already reflects that event or a newer one: then a batch delivered
/// twice, or an older event arriving late, changes nothing. `$values` are the row's columns.
#[macro_export]
macro_rules! apply_if_newer {
    ($conn:expr, $table:ident, $key:ident, $event:expr, $values:expr) => {{
        let stored: Option<i64> = $table::table
            .find(&$event.uuid)
            .select($table::event_id)
            .first($conn)
            .optional()?;
        match stored {
            Some(known) if known >= $event.id => {}
            Some(_) => {
                diesel::update($table::table.find(&$event.uuid))
                    .set(($values, $table::event_id.eq($event.id)))
                    .execute($conn)?;
            }
            None => {
                diesel::insert_into($table::table)
                    .values((
                        $table::$key.eq(&$event.uuid),
                        $values,
                        $table::event_id.eq($event.id),
                    ))
                    .execute($conn)?;
            }
        }
    }};
}
