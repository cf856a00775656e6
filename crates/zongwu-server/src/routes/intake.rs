//! Platform intake (`/api/v1/intake/…`): the campus service platforms send repair tickets,
//! complaints and payments, as JSON batches or as their own export files (CSV in UTF-8 or GBK,
//! xlsx, xls). Both go through one path: read → validate every row → write all rows in one
//! transaction, or nothing and a row-level error report (422). A record is identified by the
//! platform's own record id, so a replay or a later state of the same record (a ticket completed,
//! rated) updates one row and never adds another.
//!
//! A platform authenticates with its own API key (`X-Api-Key`), created by an admin and shown
//! once; the server keeps only its SHA-256. Every write and read of a key is bound to that key's
//! platform, so one platform cannot touch another's records even with the same record ids.
//! Issue #5 reads the records for the assessment of service units.
//!
//! What a record must be, and how an export file's rows become records, is `zongwu_platform`'s:
//! this module only converts between HTTP and that crate, and stores what it accepts.

use crate::app::{page_limit, AppState, AuthUser, Json, PlatformCaller};
use crate::db::Role;
use crate::error::{Error, Result};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use zongwu_platform::{Intake, IntakeKind, IntakeRecord, MAX_BATCH};
use zongwu_proto::api::ErrorBody;
use zongwu_proto::public::{
    Complaint, ComplaintBatch, CreatePlatformKey, IntakeReport, Payment, PaymentBatch, PlatformKey, PlatformKeyInfo,
    PlatformRecord, PlatformRecordPage, RepairTicket, RepairTicketBatch,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/intake/keys", post(create_key).get(list_keys))
        .route("/intake/keys/{id}", axum::routing::delete(revoke_key))
        .route("/intake/repair-tickets", post(post_repair_tickets))
        .route("/intake/complaints", post(post_complaints))
        .route("/intake/payments", post(post_payments))
        .route("/intake/{kind}/file", post(post_file))
        .route("/intake/{kind}/records/{platform_record_id}", get(get_record))
        .route("/platform-records", get(list_records))
}

#[utoipa::path(post, path = "/api/v1/intake/keys", tag = "intake", security(("bearer" = [])), request_body = CreatePlatformKey,
    responses((status = 201, description = "the key, shown this once", body = PlatformKey), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_key(
    State(app): State<AppState>,
    caller: AuthUser,
    Json(req): Json<CreatePlatformKey>,
) -> Result<(StatusCode, Json<PlatformKey>)> {
    require_admin(&caller)?;
    let platform = zongwu_platform::platform_name(&req.platform)
        .ok_or_else(|| Error::BadRequest("platform must be 1 to 64 letters, digits, '-' or '_'".into()))?;
    let label = zongwu_platform::key_label(&req.label);
    let key = app.create_platform_key(platform, &label, &caller.user.login).await?;
    Ok((StatusCode::CREATED, Json(key)))
}

fn require_admin(caller: &AuthUser) -> Result<()> {
    if caller.user.role.manages_accounts() {
        Ok(())
    } else {
        Err(Error::Forbidden("only an admin manages platform keys".into()))
    }
}

#[utoipa::path(get, path = "/api/v1/intake/keys", tag = "intake", security(("bearer" = [])),
    responses((status = 200, description = "every key, revoked ones included; never the key itself", body = Vec<PlatformKeyInfo>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_keys(State(app): State<AppState>, caller: AuthUser) -> Result<Json<Vec<PlatformKeyInfo>>> {
    require_admin(&caller)?;
    Ok(Json(app.db.list_platform_keys().await?))
}

#[utoipa::path(delete, path = "/api/v1/intake/keys/{id}", tag = "intake", security(("bearer" = [])),
    params(("id" = String, Path, description = "the key's id (not the key)")),
    responses((status = 204, description = "revoked: the key is refused from now on"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, description = "no live key with this id", body = ErrorBody)))]
async fn revoke_key(State(app): State<AppState>, caller: AuthUser, Path(id): Path<String>) -> Result<StatusCode> {
    require_admin(&caller)?;
    if !id.contains('\0') && app.db.revoke_platform_key(&id, app.now_ms()).await? {
        tracing::info!(%id, by = %caller.user.login, "platform key revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound(format!("no live platform key {id}")))
    }
}

/// Validate every record, then write all or none.
async fn ingest<T: IntakeRecord>(app: &AppState, platform: &str, intake: Intake<T>) -> Result<(StatusCode, Json<IntakeReport>)> {
    let batch = match zongwu_platform::validate(intake) {
        Ok(batch) => batch,
        Err(report) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(report))),
    };
    let (kind, total) = (batch.kind.as_str(), batch.total);
    let counts = app.db.put_platform_records(platform, kind, &batch.records, app.now_ms()).await?;
    tracing::info!(%platform, kind, total, created = counts.created, updated = counts.updated, "intake");
    let report = IntakeReport {
        accepted: true,
        total,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        errors: Vec::new(),
    };
    Ok((StatusCode::OK, Json(report)))
}

/// A JSON batch as an intake, within [`MAX_BATCH`].
fn numbered<T>(records: Vec<T>) -> Result<Intake<T>> {
    if records.len() > MAX_BATCH {
        return Err(Error::BadRequest(format!("at most {MAX_BATCH} records per batch; send a file for more")));
    }
    Ok(Intake::numbered(records))
}

#[utoipa::path(post, path = "/api/v1/intake/repair-tickets", tag = "intake", security(("api_key" = [])), request_body = RepairTicketBatch,
    responses((status = 200, description = "all stored (created, updated or unchanged)", body = IntakeReport),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 422, description = "nothing stored; the row-level errors", body = IntakeReport)))]
#[tracing::instrument(skip_all, fields(platform = %platform.0))]
async fn post_repair_tickets(
    State(app): State<AppState>,
    platform: PlatformCaller,
    Json(batch): Json<RepairTicketBatch>,
) -> Result<(StatusCode, Json<IntakeReport>)> {
    ingest(&app, &platform.0, numbered(batch.records)?).await
}

#[utoipa::path(post, path = "/api/v1/intake/complaints", tag = "intake", security(("api_key" = [])), request_body = ComplaintBatch,
    responses((status = 200, body = IntakeReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 422, description = "nothing stored; the row-level errors", body = IntakeReport)))]
#[tracing::instrument(skip_all, fields(platform = %platform.0))]
async fn post_complaints(
    State(app): State<AppState>,
    platform: PlatformCaller,
    Json(batch): Json<ComplaintBatch>,
) -> Result<(StatusCode, Json<IntakeReport>)> {
    ingest(&app, &platform.0, numbered(batch.records)?).await
}

#[utoipa::path(post, path = "/api/v1/intake/payments", tag = "intake", security(("api_key" = [])), request_body = PaymentBatch,
    responses((status = 200, body = IntakeReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 422, description = "nothing stored; the row-level errors", body = IntakeReport)))]
#[tracing::instrument(skip_all, fields(platform = %platform.0))]
async fn post_payments(
    State(app): State<AppState>,
    platform: PlatformCaller,
    Json(batch): Json<PaymentBatch>,
) -> Result<(StatusCode, Json<IntakeReport>)> {
    ingest(&app, &platform.0, numbered(batch.records)?).await
}

/// Read an export file off the async threads.
async fn read_file<T: IntakeRecord + Send + 'static>(body: Bytes) -> Result<Intake<T>> {
    tokio::task::spawn_blocking(move || zongwu_platform::read_file::<T>(&body)).await.map_err(|e| Error::Internal(e.to_string()))
}

#[utoipa::path(post, path = "/api/v1/intake/{kind}/file", tag = "intake", security(("api_key" = [])),
    params(("kind" = IntakeKind, Path, description = "repair-tickets, complaints or payments")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
                 description = "the platform's export: xlsx, xls, or CSV in UTF-8 or GBK; headers in Chinese or English"),
    responses((status = 200, description = "every row stored", body = IntakeReport), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 422, description = "nothing stored; the row-level errors", body = IntakeReport)))]
#[tracing::instrument(skip_all, fields(platform = %platform.0, bytes = body.len()))]
async fn post_file(
    State(app): State<AppState>,
    platform: PlatformCaller,
    kind: std::result::Result<Path<IntakeKind>, axum::extract::rejection::PathRejection>,
    body: Bytes,
) -> Result<(StatusCode, Json<IntakeReport>)> {
    let Path(kind) = kind.map_err(|e| Error::BadRequest(e.body_text()))?;
    match kind {
        IntakeKind::RepairTickets => ingest(&app, &platform.0, read_file::<RepairTicket>(body).await?).await,
        IntakeKind::Complaints => ingest(&app, &platform.0, read_file::<Complaint>(body).await?).await,
        IntakeKind::Payments => ingest(&app, &platform.0, read_file::<Payment>(body).await?).await,
    }
}

#[utoipa::path(get, path = "/api/v1/intake/{kind}/records/{platform_record_id}", tag = "intake", security(("api_key" = [])),
    params(("kind" = IntakeKind, Path, description = "repair-tickets, complaints or payments"),
           ("platform_record_id" = String, Path, description = "the platform's own record id")),
    responses((status = 200, description = "the caller's platform's record, as stored", body = PlatformRecord),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_record(
    State(app): State<AppState>,
    platform: PlatformCaller,
    path: std::result::Result<Path<(IntakeKind, String)>, axum::extract::rejection::PathRejection>,
) -> Result<Json<PlatformRecord>> {
    let Path((kind, id)) = path.map_err(|e| Error::BadRequest(e.body_text()))?;
    if id.contains('\0') {
        return Err(Error::BadRequest("platform_record_id must not contain NUL".into()));
    }
    app.db
        .platform_record(&platform.0, kind.as_str(), &id)
        .await?
        .map(Json)
        .ok_or_else(|| Error::NotFound(format!("no {} record {id} of this platform", kind.as_str())))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordParams {
    /// `repair`, `complaint` or `payment`; all kinds when absent.
    pub kind: Option<String>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
    /// 1 to 1000 (default 1000).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/platform-records", tag = "intake", security(("bearer" = [])), params(RecordParams),
    responses((status = 200, body = PlatformRecordPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn list_records(
    State(app): State<AppState>,
    caller: AuthUser,
    params: std::result::Result<Query<RecordParams>, QueryRejection>,
) -> Result<Json<PlatformRecordPage>> {
    if caller.user.role == Role::Officer {
        return Err(Error::Forbidden("platform records are for the office and experts".into()));
    }
    let Query(params) = params.map_err(|e| Error::BadRequest(e.body_text()))?;
    if params.after.as_deref().is_some_and(|a| a.contains('\0')) {
        return Err(Error::BadRequest("after must not contain NUL".into()));
    }
    if params.kind.as_deref().is_some_and(|k| IntakeKind::from_stored(k).is_none()) {
        return Err(Error::BadRequest("kind must be repair, complaint or payment".into()));
    }
    let limit = page_limit(params.limit);
    let records = app.db.list_platform_records(params.kind.as_deref(), params.after.as_deref(), limit).await?;
    let next_after = (records.len() as i64 == limit).then(|| records.last().map(|r| r.id.clone())).flatten();
    Ok(Json(PlatformRecordPage { records, next_after }))
}
