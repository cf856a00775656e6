//! `/api/v1/housing/plans/…`: the office lists and publishes housing plans; a published plan is
//! what the public freshman API serves.

use crate::app::{AppState, AuthUser, Json};
use crate::db::Role;
use crate::error::{Error, Result};
use crate::housing::{short_text, validate_assignments, MAX_PLAN_ROWS};
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::Router;
use zongwu_proto::api::ErrorBody;
use zongwu_proto::public::{PlanSummary, PublishPlan};

pub fn routes() -> Router<AppState> {
    Router::new().route("/housing/plans", get(list_plans)).route("/housing/plans/{plan_id}", put(put_plan))
}

fn require_office(caller: &AuthUser) -> Result<()> {
    match caller.user.role {
        Role::Admin | Role::Office => Ok(()),
        _ => Err(Error::Forbidden("only the office publishes housing plans".into())),
    }
}

#[utoipa::path(get, path = "/api/v1/housing/plans", tag = "housing", security(("bearer" = [])),
    responses((status = 200, body = Vec<PlanSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_plans(State(app): State<AppState>, caller: AuthUser) -> Result<Json<Vec<PlanSummary>>> {
    require_office(&caller)?;
    Ok(Json(app.db.list_plans().await?))
}

#[utoipa::path(put, path = "/api/v1/housing/plans/{plan_id}", tag = "housing", security(("bearer" = [])),
    request_body = PublishPlan, params(("plan_id" = String, Path, description = "the desktop's plan id")),
    responses((status = 200, description = "stored, replacing the plan's earlier assignments", body = PlanSummary),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(plan_id = %plan_id, rows = req.assignments.len()))]
async fn put_plan(
    State(app): State<AppState>,
    caller: AuthUser,
    Path(plan_id): Path<String>,
    Json(req): Json<PublishPlan>,
) -> Result<Json<PlanSummary>> {
    require_office(&caller)?;
    if !(1..=64).contains(&plan_id.len()) || !plan_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::BadRequest("plan_id must be 1 to 64 letters, digits, '-' or '_'".into()));
    }
    let name = short_text(&req.name, "方案名称", 100)?;
    if req.assignments.len() > MAX_PLAN_ROWS {
        return Err(Error::BadRequest(format!("a plan has at most {MAX_PLAN_ROWS} assignments")));
    }
    let rows = validate_assignments(&app.pepper, &req)?;
    let summary = app.db.put_plan(&plan_id, &name, req.published, &rows, app.now_ms()).await?;
    tracing::info!(user = %caller.user.login, published = req.published, "housing plan stored");
    Ok(Json(summary))
}
