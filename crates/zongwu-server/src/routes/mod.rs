//! The HTTP routes under `/api/v1`, one module per area. Handlers are short: extract, check the
//! caller's rights, call a rule module or the [`Database`](crate::db::Database), answer. They
//! stand on [`crate::app`] (state, extractors) and never import each other.

pub mod auth;
pub mod housing;
pub mod intake;
pub mod public;
pub mod sync;
pub mod users;

use crate::app::AppState;
use crate::db::{Device, User};
use axum::routing::get;
use axum::Router;
use zongwu_proto::api::{Account, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(sync::routes())
        .merge(public::routes())
        .merge(housing::routes())
        .merge(intake::routes())
        .route("/openapi.json", get(openapi))
}

/// The OpenAPI document of every route, generated from the handlers and wire types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "zongwu sync server", description = "Sync, auth and users for zongwu desktops; the public freshman API; \
        platform intake."),
    paths(auth::login, auth::logout, users::create_user, users::list_users, users::update_user, users::list_devices,
          users::remove_device, sync::push, sync::pull, sync::snapshot, sync::compact,
          public::room, public::roommates, public::register_arrival, public::companions,
          housing::list_plans, housing::put_plan,
          intake::create_key, intake::list_keys, intake::revoke_key, intake::post_repair_tickets, intake::post_complaints,
          intake::post_payments, intake::post_file, intake::get_record, intake::list_records),
    components(schemas(zongwu_proto::Change, Account, ErrorBody, User, Device, crate::db::Role, zongwu_platform::IntakeKind)),
    modifiers(&BearerAuth, &ApiKeyAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(<ApiDoc as utoipa::OpenApi>::openapi())
}

/// The OpenAPI security scheme of intake routes.
pub struct ApiKeyAuth;

impl utoipa::Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))));
    }
}
