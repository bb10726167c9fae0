//! The macros a register's resources are declared with: routes and the common queries.

/// The `count`, `page` and `find` of a [`Crud`] impl whose list is `$filtered(&filters)` (a
/// boxed query of `$table`) ordered by `$order`, with rows of type `$row`:
/// `platform::crud_queries!(bijlagen, BijlageRow, filtered, bijlagen::id.desc());`, or
/// without `$filtered` for a list without filters, or with `counted as "table"` for a table
/// whose rows are counted by triggers.
#[macro_export]
macro_rules! crud_queries {
    // A table whose rows are counted by triggers (`row_counts`, under the table's name): an
    // unfiltered list reads its count there. Its filters equal their default when none is given.
    ($table:ident, $row:ty, $filtered:expr, $order:expr, counted as $name:literal) => {
        fn count(
            conn: &mut $crate::db::DbConnection,
            filters: &Self::Filters,
        ) -> $crate::ApiResult<i64> {
            use diesel::prelude::*;
            if *filters == Self::Filters::default() {
                return $crate::crud::counted(conn, $name);
            }
            Ok($filtered(filters).count().get_result(conn)?)
        }

        $crate::crud_queries!(@page_find $table, $row, $filtered, $order);
    };
    ($table:ident, $row:ty, $order:expr) => {
        $crate::crud_queries!($table, $row, |_: &Self::Filters| $table::table, $order);
    };
    ($table:ident, $row:ty, $filtered:expr, $order:expr) => {
        fn count(
            conn: &mut $crate::db::DbConnection,
            filters: &Self::Filters,
        ) -> $crate::ApiResult<i64> {
            use diesel::prelude::*;
            Ok($filtered(filters).count().get_result(conn)?)
        }

        $crate::crud_queries!(@page_find $table, $row, $filtered, $order);
    };
    (@page_find $table:ident, $row:ty, $filtered:expr, $order:expr) => {
        fn page(
            conn: &mut $crate::db::DbConnection,
            filters: &Self::Filters,
            offset: i64,
            limit: i64,
        ) -> $crate::ApiResult<Vec<$row>> {
            use diesel::prelude::*;
            Ok($filtered(filters)
                .order($order)
                .offset(offset)
                .limit(limit)
                .select(<$row>::as_select())
                .load(conn)?)
        }

        fn find(
            conn: &mut $crate::db::DbConnection,
            uuid: uuid::Uuid,
        ) -> $crate::ApiResult<Option<$row>> {
            use diesel::prelude::*;
            Ok($table::table
                .filter($table::uuid.eq(uuid.to_string()))
                .select(<$row>::as_select())
                .first(conn)
                .optional()?)
        }
    };
}

/// Registers a resource's routes under `path` (`/rekeningnummers`): GET/HEAD/POST/OPTIONS on
/// the list, GET/HEAD/PUT/PATCH/DELETE/OPTIONS on the detail, GET on its audit trail, 405 for
/// anything else.
#[macro_export]
macro_rules! crud_resource {
    ($cfg:expr, $path:literal, $resource:ty) => {{
        use actix_web::web;
        use $crate::crud;
        type State = <$resource as crud::Crud>::State;
        let options = || web::method(actix_web::http::Method::OPTIONS).to($crate::http::options);
        let refuse = || web::to($crate::http::method_not_allowed);
        $cfg.service(
            web::resource($path)
                .route(web::get().to(crud::list::<$resource>))
                .route(web::head().to(crud::list::<$resource>))
                .route(web::post().to(crud::create::<$resource>))
                .route(options())
                .default_service(refuse()),
        )
        .service(
            web::resource(concat!($path, "/{uuid}"))
                .route(web::get().to(crud::read::<$resource>))
                .route(web::head().to(crud::read::<$resource>))
                .route(web::put().to(crud::update::<$resource>))
                .route(web::patch().to(crud::update::<$resource>))
                .route(web::delete().to(crud::delete::<$resource>))
                .route(options())
                .default_service(refuse()),
        )
        .service(
            web::resource(concat!($path, "/{uuid}/audittrail"))
                .route(web::get().to($crate::audit::trail::<State>))
                .route(web::head().to($crate::audit::trail::<State>))
                .route(options())
                .default_service(refuse()),
        );
    }};
}
