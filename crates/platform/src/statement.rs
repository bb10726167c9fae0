//! Statements written in SQL, one text per backend, for reads the query builder cannot say in one
//! statement (the rows of several tables that a page of objects shows, at once). On PostgreSQL
//! every statement is a round trip and, unless it is prepared, a parse and a plan; these are
//! each a type of their own, so diesel keeps them prepared per connection and PostgreSQL plans
//! them once (a generic plan: an index lookup per id, whatever statistics say).
//!
//! Their one parameter is a set of ids, written `IN IDS` in the text (`WHERE a.partij_id IN
//! IDS`): bound as a `bigint[]` on PostgreSQL (`= ANY($1)`), as a JSON array on SQLite (`IN
//! (SELECT value FROM json_each(?))`). Rows are read by name (`diesel::QueryableByName`).

use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Text, Untyped};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};

use crate::db::MultiBackend;

/// A statement's text, in the SQL both backends read, with `IN IDS` where the set of ids goes.
pub trait Statement: 'static {
    const SQL: &'static str;
}

/// How the text marks the set of ids.
const IDS: &str = " IN IDS";

/// Statement `S` for a set of ids: `by_ids::<S>(&ids).load::<Row>(conn)`.
pub struct ByIds<S> {
    ids: Vec<i64>,
    json: String,
    statement: PhantomData<S>,
}

pub fn by_ids<S: Statement>(ids: &[i64]) -> ByIds<S> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    ByIds {
        ids: ids.to_vec(),
        json,
        statement: PhantomData,
    }
}

impl<S: Statement> QueryId for ByIds<S> {
    type QueryId = S;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<S> Query for ByIds<S> {
    type SqlType = Untyped;
}

impl<S, Conn> RunQueryDsl<Conn> for ByIds<S> {}

impl<S: Statement> QueryFragment<Pg> for ByIds<S> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for (i, part) in S::SQL.split(IDS).enumerate() {
            if i > 0 {
                out.push_sql(" = ANY(");
                out.push_bind_param::<Array<BigInt>, _>(&self.ids)?;
                out.push_sql(")");
            }
            out.push_sql(part);
        }
        Ok(())
    }
}

impl<S: Statement> QueryFragment<Sqlite> for ByIds<S> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        for (i, part) in S::SQL.split(IDS).enumerate() {
            if i > 0 {
                out.push_sql(" IN (SELECT value FROM json_each(");
                out.push_bind_param::<Text, _>(&self.json)?;
                out.push_sql("))");
            }
            out.push_sql(part);
        }
        Ok(())
    }
}

impl<S: Statement> QueryFragment<MultiBackend> for ByIds<S> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        MultiBackend::walk_variant_ast(self, pass)
    }
}

/// Declares a [`Statement`]: `platform::statement!(Related, "SELECT … WHERE a.partij_id IN IDS");`.
#[macro_export]
macro_rules! statement {
    ($name:ident, $sql:expr) => {
        pub struct $name;

        impl $crate::statement::Statement for $name {
            const SQL: &'static str = $sql;
        }
    };
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{BigInt, Text};

    use super::*;

    crate::statement!(
        Owned,
        "SELECT owner, name FROM things WHERE owner IN IDS \
         UNION ALL SELECT owner, 'x' || name FROM things WHERE owner IN IDS AND owner > 1 \
         ORDER BY 1, 2"
    );

    #[derive(Debug, PartialEq, diesel::QueryableByName)]
    struct Thing {
        #[diesel(sql_type = BigInt)]
        owner: i64,
        #[diesel(sql_type = Text)]
        name: String,
    }

    /// Runs the statement twice on each backend it can reach: the second run comes from the
    /// connection's prepared statement.
    fn check(conn: &mut crate::db::DbConnection) {
        conn.batch_execute(
            "CREATE TEMPORARY TABLE things (owner BIGINT NOT NULL, name TEXT NOT NULL); \
             INSERT INTO things VALUES (1, 'a'), (2, 'b'), (3, 'c')",
        )
        .unwrap();
        for _ in 0..2 {
            let rows: Vec<Thing> = by_ids::<Owned>(&[1, 2]).load(conn).unwrap();
            let thing = |owner, name: &str| Thing {
                owner,
                name: name.to_owned(),
            };
            assert_eq!(rows, [thing(1, "a"), thing(2, "b"), thing(2, "xb")]);
        }
        let none: Vec<Thing> = by_ids::<Owned>(&[]).load(conn).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn a_statement_reads_a_set_of_ids_where_the_text_says_and_runs_again_prepared() {
        check(&mut crate::db::establish(":memory:").unwrap());
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            check(&mut crate::db::establish(&url).unwrap());
        }
    }
}
