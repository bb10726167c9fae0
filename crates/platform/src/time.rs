//! Dates and times as the API writes them: UTC, ISO 8601, `Z` suffix, microseconds only when
//! there are any; dates as `YYYY-MM-DD`.

use time::{
    format_description::well_known::Rfc3339, macros::format_description, Date, OffsetDateTime,
    PrimitiveDateTime,
};

/// The current moment in UTC, as stored (the database keeps UTC without an offset).
pub fn now() -> PrimitiveDateTime {
    let now = OffsetDateTime::now_utc();
    // Microsecond precision: what both backends keep.
    let micros = now.microsecond();
    let now = now.replace_microsecond(micros).unwrap_or(now);
    PrimitiveDateTime::new(now.date(), now.time())
}

pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

pub fn format_date(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// `2019-08-24T14:15:22Z`, or `2019-08-24T14:15:22.123456Z`.
pub fn format_datetime(moment: PrimitiveDateTime) -> String {
    let base = moment
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    match moment.microsecond() {
        0 => format!("{base}Z"),
        micros => format!("{base}.{micros:06}Z"),
    }
}

/// An ISO 8601 moment with an offset, converted to UTC.
pub fn parse_datetime(text: &str) -> Option<PrimitiveDateTime> {
    let moment = OffsetDateTime::parse(text, &Rfc3339)
        .ok()?
        .to_offset(time::UtcOffset::UTC);
    Some(PrimitiveDateTime::new(moment.date(), moment.time()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_utc_with_z_and_microseconds_only_when_present() {
        let moment = parse_datetime("2019-08-24T16:15:22+02:00").unwrap();
        assert_eq!(format_datetime(moment), "2019-08-24T14:15:22Z");
        let moment = parse_datetime("2019-08-24T14:15:22.5Z").unwrap();
        assert_eq!(format_datetime(moment), "2019-08-24T14:15:22.500000Z");
        assert_eq!(format_date(parse_date("2026-11-02").unwrap()), "2026-11-02");
        assert_eq!(parse_date("2026-13-02"), None);
    }
}
