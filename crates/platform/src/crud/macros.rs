//! The macros a register's resources are declared with: routes and the common queries.

/// Registers the list and detail routes of a CRUD resource: GET/HEAD/POST/OPTIONS on the list,
/// GET/HEAD/PUT/PATCH/DELETE/OPTIONS on the detail, 405 for anything else.
#[macro_export]
macro_rules! crud_routes {
    ($cfg:expr, $path:literal, $state:ty, $list:expr, $create:expr, $read:expr, $replace:expr, $patch:expr, $delete:expr) => {{
        use actix_web::web;
        $cfg.service(
            web::resource($path)
                .route(web::get().to($list))
                .route(web::head().to($list))
                .route(web::post().to($create))
                .route(web::method(actix_web::http::Method::OPTIONS).to($crate::http::options))
                .default_service(web::to($crate::http::method_not_allowed)),
        )
        .service(
            web::resource(concat!($path, "/{uuid}"))
                .route(web::get().to($read))
                .route(web::head().to($read))
                .route(web::put().to($replace))
                .route(web::patch().to($patch))
                .route(web::delete().to($delete))
                .route(web::method(actix_web::http::Method::OPTIONS).to($crate::http::options))
                .default_service(web::to($crate::http::method_not_allowed)),
        )
        .service(
            web::resource(concat!($path, "/{uuid}/audittrail"))
                .route(web::get().to($crate::audit::trail::<$state>))
                .route(web::head().to($crate::audit::trail::<$state>))
                .route(web::method(actix_web::http::Method::OPTIONS).to($crate::http::options))
                .default_service(web::to($crate::http::method_not_allowed)),
        );
    }};
}

/// The objects among `$uuids` of a resource, rendered, for [`RegisterState::objects`]:
/// `objects_by_uuid!(conn, urls, resource, uuids, { Partijen => (partijen, Partijen), ... })`
/// with each table's schema module and resource type in scope.
#[macro_export]
macro_rules! objects_by_uuid {
    ($conn:expr, $urls:expr, $resource:expr, $uuids:expr,
     { $($variant:ident => ($table:ident, $crud:ty)),* $(,)? }) => {{
        use diesel::prelude::*;
        match $resource {
            $(reference::Resource::$variant => {
                let rows = $table::table
                    .filter($table::uuid.eq_any($uuids))
                    .select(<<$crud as $crate::crud::Crud>::Row>::as_select())
                    .load($conn)?;
                $crate::crud::render_values::<$crud>($conn, $urls, &rows)?
            })*
            _ => Vec::new(),
        }
    }};
}

/// The `count`, `page` and `find` of a [`Crud`] impl whose list is `$filtered(&filters)` (a
/// boxed query of `$table`) ordered by `$order`, with rows of type `$row`:
/// `platform::crud_queries!(bijlagen, BijlageRow, filtered, bijlagen::id.desc());`
#[macro_export]
macro_rules! crud_queries {
    ($table:ident, $row:ty, $filtered:expr, $order:expr) => {
        fn count(
            conn: &mut $crate::db::DbConnection,
            filters: &Self::Filters,
        ) -> $crate::ApiResult<i64> {
            use diesel::prelude::*;
            Ok($filtered(filters).count().get_result(conn)?)
        }

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

/// Registers a resource's routes under `path` (`/rekeningnummers`).
#[macro_export]
macro_rules! crud_resource {
    ($cfg:expr, $path:literal, $resource:ty) => {
        $crate::crud_routes!(
            $cfg,
            $path,
            <$resource as $crate::crud::Crud>::State,
            $crate::crud::list::<$resource>,
            $crate::crud::create::<$resource>,
            $crate::crud::read::<$resource>,
            $crate::crud::replace::<$resource>,
            $crate::crud::patch::<$resource>,
            $crate::crud::delete::<$resource>
        )
    };
}
