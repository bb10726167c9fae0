//! The counts of tables that grow large, kept by triggers (`row_counts`, in each register's
//! migrations): an unfiltered list of millions of rows tells its count without counting them.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::ApiResult;

diesel::table! {
    row_counts (table_name, shard) {
        table_name -> Text,
        shard -> Integer,
        n -> BigInt,
    }
}

/// How many rows `table` has (the sum of its shards: a handful of rows).
pub fn counted(conn: &mut DbConnection, table: &str) -> ApiResult<i64> {
    let shards: Vec<i64> = row_counts::table
        .filter(row_counts::table_name.eq(table))
        .select(row_counts::n)
        .load(conn)?;
    Ok(shards.into_iter().sum())
}
