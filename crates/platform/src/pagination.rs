//! Page-number pagination: `count`, `next`, `previous`, `results`.
//!
//! `page` is 1-based (or `last`), `pageSize` defaults to 100 and is capped at 500; a page past
//! the end is a 404. The `next` and `previous` links keep every other query parameter, sorted by
//! name as the reference writes them, and the link to page 1 leaves `page` out.

use serde::Serialize;

use crate::error::ApiError;
use crate::query::Query;

pub const DEFAULT_PAGE_SIZE: i64 = 100;
pub const MAX_PAGE_SIZE: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageNumber {
    Number(i64),
    Last,
}

/// The page a client asked for.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    number: PageNumber,
    pub size: i64,
}

const INVALID_PAGE: &str = "Ongeldige pagina.";

impl PageRequest {
    pub fn from_query(query: &Query) -> Result<Self, ApiError> {
        let size = query
            .get("pageSize")
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_PAGE_SIZE, |s| s.min(MAX_PAGE_SIZE));
        let number = match query.get("page") {
            None => PageNumber::Number(1),
            Some("last") => PageNumber::Last,
            Some(text) => PageNumber::Number(
                text.trim()
                    .parse::<i64>()
                    .ok()
                    // A page whose first row lies past what a number can count is past the
                    // end of every table (and would overflow into a negative offset).
                    .filter(|n| n.checked_sub(1).and_then(|n| n.checked_mul(size)).is_some())
                    .ok_or(ApiError::NotFound(INVALID_PAGE))?,
            ),
        };
        Ok(Self { number, size })
    }

    /// The rows to skip when they are known without the total (a page asked for by number).
    pub fn offset(&self) -> Option<i64> {
        match self.number {
            PageNumber::Number(n) if n >= 1 => Some((n - 1) * self.size),
            _ => None,
        }
    }

    /// The total a page's rows tell by themselves: a page that is not full has the last rows,
    /// unless it is empty past the first page (then the total is not known).
    pub fn count_from(&self, offset: i64, rows: usize) -> Option<i64> {
        let rows = rows as i64;
        (rows < self.size && (rows > 0 || offset == 0)).then_some(offset + rows)
    }

    /// The page number and the rows to skip, once the total is known; 404 past the end.
    pub fn resolve(&self, count: i64) -> Result<Page, ApiError> {
        let pages = ((count + self.size - 1) / self.size).max(1);
        let number = match self.number {
            PageNumber::Last => pages,
            PageNumber::Number(n) => n,
        };
        if number < 1 || number > pages {
            return Err(ApiError::NotFound(INVALID_PAGE));
        }
        Ok(Page {
            number,
            pages,
            size: self.size,
            count,
        })
    }
}

/// A resolved page.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: i64,
    pub pages: i64,
    pub size: i64,
    pub count: i64,
}

impl Page {
    pub fn offset(&self) -> i64 {
        (self.number - 1) * self.size
    }

    pub fn limit(&self) -> i64 {
        self.size
    }

    /// The body, with links built on `list_url` and the request's other parameters.
    pub fn body<T: Serialize>(
        &self,
        list_url: &str,
        query: &Query,
        results: Vec<T>,
    ) -> Paginated<T> {
        let link = |number: i64| {
            let mut pairs: Vec<(&str, String)> = query
                .pairs()
                .iter()
                .filter(|(k, _)| k != "page")
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            if number > 1 {
                pairs.push(("page", number.to_string()));
            }
            pairs.sort_by(|a, b| a.0.cmp(b.0));
            if pairs.is_empty() {
                return list_url.to_owned();
            }
            let mut encoded = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &pairs {
                encoded.append_pair(k, v);
            }
            format!("{list_url}?{}", encoded.finish())
        };
        Paginated {
            count: self.count,
            next: (self.number < self.pages).then(|| link(self.number + 1)),
            previous: (self.number > 1).then(|| link(self.number - 1)),
            results,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Paginated<T> {
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

impl<T> Paginated<T> {
    /// The same page with its results changed by `f`.
    pub fn try_map<U, E>(
        self,
        f: impl FnOnce(Vec<T>) -> Result<Vec<U>, E>,
    ) -> Result<Paginated<U>, E> {
        Ok(Paginated {
            count: self.count,
            next: self.next,
            previous: self.previous,
            results: f(self.results)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_other_parameters_sorted_and_page_one_has_no_page() {
        let query = Query::parse("pageSize=2&bezoekadresNummeraanduidingId=0363200000932844");
        let page = PageRequest::from_query(&query).unwrap().resolve(3).unwrap();
        let body = page.body("http://h/partijen", &query, Vec::<()>::new());
        assert_eq!(
            body.next.as_deref(),
            Some("http://h/partijen?bezoekadresNummeraanduidingId=0363200000932844&page=2&pageSize=2")
        );
        assert_eq!(body.previous, None);

        let query =
            Query::parse("bezoekadresNummeraanduidingId=0363200000932844&page=2&pageSize=2");
        let page = PageRequest::from_query(&query).unwrap().resolve(3).unwrap();
        let body = page.body("http://h/partijen", &query, Vec::<()>::new());
        assert_eq!(body.next, None);
        assert_eq!(
            body.previous.as_deref(),
            Some("http://h/partijen?bezoekadresNummeraanduidingId=0363200000932844&pageSize=2")
        );
    }

    #[test]
    fn sizes_default_and_cap_and_pages_past_the_end_are_not_found() {
        let page = PageRequest::from_query(&Query::parse("pageSize=1000")).unwrap();
        assert_eq!(page.size, MAX_PAGE_SIZE);
        let page = PageRequest::from_query(&Query::parse("pageSize=0")).unwrap();
        assert_eq!(page.size, DEFAULT_PAGE_SIZE);
        let page = PageRequest::from_query(&Query::parse("page=2")).unwrap();
        assert!(page.resolve(100).is_err());
        assert!(page.resolve(101).is_ok());
        // The first page exists even when there is nothing to show.
        assert!(PageRequest::from_query(&Query::parse(""))
            .unwrap()
            .resolve(0)
            .is_ok());
        let last = PageRequest::from_query(&Query::parse("page=last"))
            .unwrap()
            .resolve(250)
            .unwrap();
        assert_eq!(last.number, 3);
    }

    #[test]
    fn a_page_that_is_not_full_tells_the_total_unless_it_is_empty_past_the_first() {
        let request = PageRequest::from_query(&Query::parse("pageSize=10&page=3")).unwrap();
        assert_eq!(request.offset(), Some(20));
        assert_eq!(request.count_from(20, 4), Some(24));
        assert_eq!(
            request.count_from(20, 10),
            None,
            "a full page: more may follow"
        );
        assert_eq!(request.count_from(20, 0), None, "empty past the first page");
        assert_eq!(
            request.count_from(0, 0),
            Some(0),
            "an empty first page: none at all"
        );
        let last = PageRequest::from_query(&Query::parse("page=last")).unwrap();
        assert_eq!(last.offset(), None, "the last page needs the total first");
        let zero = PageRequest::from_query(&Query::parse("page=0")).unwrap();
        assert_eq!(zero.offset(), None);
    }

    #[test]
    fn a_page_past_what_an_offset_can_count_is_past_the_end() {
        for page in [
            "144115188075855873",
            "9223372036854775807",
            "-9223372036854775808",
        ] {
            let query = Query::parse(&format!("page={page}&pageSize=100"));
            assert!(
                PageRequest::from_query(&query).is_err(),
                "page {page} would overflow the offset"
            );
        }
        let far = PageRequest::from_query(&Query::parse("page=92233720368547758&pageSize=100"));
        assert_eq!(far.unwrap().offset(), Some(9_223_372_036_854_775_700));
    }
}
