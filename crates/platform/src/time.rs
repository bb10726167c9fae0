//! Dates and times as the API writes them: UTC, ISO 8601, `Z` suffix, microseconds only when
//! there are any; dates as `YYYY-MM-DD`.

use time::{macros::format_description, Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

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

/// An ISO 8601 moment, converted to UTC. Read as the reference reads it (Django's
/// `parse_datetime`): `T` or a space between date and time, seconds and fraction optional (a
/// fraction beyond microseconds is cut off), and an offset `Z`, `±HH`, `±HHMM` or `±HH:MM`; a
/// moment without an offset is UTC, the reference's server time zone. .NET and Java clients
/// send such moments.
pub fn parse_datetime(text: &str) -> Option<PrimitiveDateTime> {
    let mut rest = Cursor(text.as_bytes());
    let year = rest.digits(4, 4)?;
    rest.expect(b"-")?;
    let month = rest.digits(1, 2)?;
    rest.expect(b"-")?;
    let day = rest.digits(1, 2)?;
    rest.expect(b"T ")?;
    let hour = rest.digits(1, 2)?;
    rest.expect(b":")?;
    let minute = rest.digits(1, 2)?;
    let (mut second, mut micro) = (0, 0);
    if rest.expect(b":").is_some() {
        second = rest.digits(1, 2)?;
        if rest.expect(b".,").is_some() {
            let start = rest.0.len();
            let digits = rest.digits(1, 6)?;
            micro = digits * 10u32.pow(6 - (start - rest.0.len()) as u32);
            // Digits past the microseconds are cut off (at most six more, like the reference).
            let _ = rest.digits(0, 6);
        }
    }
    while rest.expect(b" \t").is_some() {}
    let offset = match rest.0.first() {
        None => UtcOffset::UTC,
        Some(b'Z') => {
            rest.0 = &rest.0[1..];
            UtcOffset::UTC
        }
        Some(&sign @ (b'+' | b'-')) => {
            rest.0 = &rest.0[1..];
            let hours = rest.digits(2, 2)?;
            rest.expect(b":");
            let minutes = if rest.0.is_empty() {
                0
            } else {
                rest.digits(2, 2)?
            };
            let seconds = (hours * 3600 + minutes * 60) as i32;
            UtcOffset::from_whole_seconds(if sign == b'-' { -seconds } else { seconds }).ok()?
        }
        Some(_) => return None,
    };
    if !rest.0.is_empty() {
        return None;
    }
    let date = Date::from_calendar_date(
        year as i32,
        time::Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let clock = time::Time::from_hms_micro(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        micro,
    )
    .ok()?;
    let moment = PrimitiveDateTime::new(date, clock)
        .assume_offset(offset)
        .to_offset(UtcOffset::UTC);
    Some(PrimitiveDateTime::new(moment.date(), moment.time()))
}

/// The unread part of a datetime text.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    /// Between `min` and `max` (at most 9) ASCII digits, as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let len = self
            .0
            .iter()
            .take(max)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if len < min {
            return None;
        }
        let (digits, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    }

    /// One of the given bytes.
    fn expect(&mut self, one_of: &[u8]) -> Option<()> {
        let (&first, rest) = self.0.split_first()?;
        one_of.contains(&first).then(|| self.0 = rest)
    }
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

    #[test]
    fn datetimes_are_read_like_the_reference_reads_them() {
        let utc = |text| parse_datetime(text).map(format_datetime);
        let moment = Some("1997-11-04T05:08:01.415143Z".to_owned());
        assert_eq!(utc("1997-11-04T05:08:01.415143"), moment);
        assert_eq!(utc("1997-11-04 05:08:01.415143"), moment);
        assert_eq!(utc("1997-11-04T06:08:01.415143+01:00"), moment);
        assert_eq!(utc("1997-11-04T06:08:01.415143+0100"), moment);
        assert_eq!(utc("1997-11-04T04:08:01.4151439-01"), moment);
        assert_eq!(utc("1997-11-04T05:08"), Some("1997-11-04T05:08:00Z".into()));
        assert_eq!(
            utc("2019-08-24T14:15:22.5Z"),
            Some("2019-08-24T14:15:22.500000Z".into())
        );
        for broken in [
            "1997-11-04",
            "1997-11-04T25:00",
            "1997-11-04T05:08:01x",
            "1997-02-30T05:08",
            "",
            "1997-11-04T05:08+1",
        ] {
            assert_eq!(utc(broken), None, "{broken}");
        }
    }
}
