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
//! Files are read by `zongwu_core::import::table` (header aliases, title rows, merged cells,
//! GBK CSV), the same reader the desktop's imports use.

use crate::api::Json;
use crate::auth::{self, AuthUser};
use crate::db::platform::NewPlatformRecord;
use crate::db::Role;
use crate::error::{Error, Result};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use zongwu_core::import::table::{self, CellKind, ColumnSpec, TableRow, TableSpec};
use zongwu_proto::api::ErrorBody;
use zongwu_proto::public::{
    Complaint, ComplaintBatch, CreatePlatformKey, IntakeReport, Payment, PaymentBatch, PlatformKey, PlatformKeyInfo,
    PlatformRecord, PlatformRecordPage, RepairTicket, RepairTicketBatch, RowError,
};

/// Most records one JSON batch may carry (a file may carry more, up to the body limit).
pub const MAX_BATCH: usize = 1000;
/// The header a platform sends its key in.
pub const API_KEY_HEADER: &str = "x-api-key";

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

/// The kinds of record, as they appear in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IntakeKind {
    RepairTickets,
    Complaints,
    Payments,
}

impl IntakeKind {
    /// The stored `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeKind::RepairTickets => "repair",
            IntakeKind::Complaints => "complaint",
            IntakeKind::Payments => "payment",
        }
    }
}

/// The platform of the caller's API key.
#[derive(Debug, Clone)]
pub struct PlatformCaller(pub String);

impl FromRequestParts<AppState> for PlatformCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let key = parts
            .headers
            .get(API_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(Error::Unauthorized)?;
        let platform = state.db.platform_of_key(&auth::token_hash(key)).await?.ok_or(Error::Unauthorized)?;
        Ok(PlatformCaller(platform))
    }
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

#[utoipa::path(post, path = "/api/v1/intake/keys", tag = "intake", security(("bearer" = [])), request_body = CreatePlatformKey,
    responses((status = 201, description = "the key, shown this once", body = PlatformKey), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_key(
    State(app): State<AppState>,
    caller: AuthUser,
    Json(req): Json<CreatePlatformKey>,
) -> Result<(StatusCode, Json<PlatformKey>)> {
    require_admin(&caller)?;
    let platform = req.platform.trim();
    if !(1..=64).contains(&platform.len()) || !platform.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::BadRequest("platform must be 1 to 64 letters, digits, '-' or '_'".into()));
    }
    let label: String = req.label.trim().chars().filter(|c| *c != '\0').take(100).collect();
    let key = app.create_platform_key(platform, &label, &caller.user.login).await?;
    Ok((StatusCode::CREATED, Json(key)))
}

fn require_admin(caller: &AuthUser) -> Result<()> {
    if caller.user.role == Role::Admin {
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

impl AppState {
    /// A new key for `platform`; only its hash is stored. Shared by the route and `--demo`.
    pub async fn create_platform_key(&self, platform: &str, label: &str, created_by: &str) -> Result<PlatformKey> {
        let key = format!("zwk_{}", auth::new_token());
        let id = uuid::Uuid::now_v7().to_string();
        self.db.create_platform_key(&id, platform, label, &auth::token_hash(&key), created_by, self.now_ms()).await?;
        tracing::info!(%platform, %id, "platform key created");
        Ok(PlatformKey { id, platform: platform.to_string(), label: label.to_string(), key })
    }
}

/// A record one platform sends: how to validate it, where it sits in an export file.
trait IntakeRecord: Serialize + Sized {
    const KIND: IntakeKind;
    /// The columns of the platform's export file.
    const SPEC: TableSpec;
    /// Normalise in place; every problem as (column, value, reason).
    fn check(&mut self) -> Vec<(&'static str, String, String)>;
    fn record_id(&self) -> &str;
    fn unit(&self) -> Option<&str>;
    fn occurred_at(&self) -> &str;
    /// The record of one file row (values already text); missing required cells become "".
    fn from_row(row: &Cells<'_>) -> std::result::Result<Self, Vec<(&'static str, String, String)>>;
}

/// One file row by column key.
struct Cells<'a> {
    row: &'a TableRow,
    spec: &'a TableSpec,
}

impl Cells<'_> {
    fn text(&self, key: &str) -> Option<String> {
        self.spec.index_of(key).and_then(|i| self.row.get(i)).map(str::to_string)
    }
    fn required(&self, key: &str) -> String {
        self.text(key).unwrap_or_default()
    }
}

const fn col(key: &'static str, label: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec { key, label, aliases, required, kind: CellKind::Text }
}

/// `YYYY-MM-DD HH:MM[:SS]` (also with `/` or `T`) as `YYYY-MM-DD HH:MM:SS`.
pub fn normalise_timestamp(raw: &str) -> std::result::Result<String, String> {
    let s = raw.trim().replace('/', "-").replace('T', " ");
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(&s, f) {
            return Ok(t.format("%Y-%m-%d %H:%M:%S").to_string());
        }
    }
    if chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok() {
        return Err("只有日期，缺少时刻：应为 2017-09-01 10:22 这样的时间 (date without a time of day)".into());
    }
    Err("时间格式不正确：应为 2017-09-01 10:22 (expected YYYY-MM-DD HH:MM[:SS])".into())
}

type Problems = Vec<(&'static str, String, String)>;

/// PostgreSQL refuses NUL in text; refuse it here, as a row error, on both backends.
const NUL_REASON: &str = "含有不可见的控制字符 NUL (contains a NUL character)";

fn need_text(p: &mut Problems, column: &'static str, value: &mut String, max: usize) {
    *value = value.trim().to_string();
    if value.contains('\0') {
        p.push((column, value.replace('\0', "").chars().take(20).collect(), NUL_REASON.into()));
    } else if value.is_empty() {
        p.push((column, String::new(), "必填 (required)".into()));
    } else if value.chars().count() > max {
        p.push((column, value.chars().take(20).collect(), format!("超过 {max} 个字符 (too long)")));
    }
}

fn opt_text(p: &mut Problems, column: &'static str, value: &mut Option<String>, max: usize) {
    if let Some(v) = value {
        *v = v.trim().to_string();
        if v.is_empty() {
            *value = None;
        } else if v.contains('\0') {
            p.push((column, v.replace('\0', "").chars().take(20).collect(), NUL_REASON.into()));
        } else if v.chars().count() > max {
            p.push((column, v.chars().take(20).collect(), format!("超过 {max} 个字符 (too long)")));
        }
    }
}

fn need_time(p: &mut Problems, column: &'static str, value: &mut String) {
    match normalise_timestamp(value) {
        Ok(t) => *value = t,
        Err(reason) if value.trim().is_empty() => p.push((column, String::new(), format!("必填 (required): {reason}"))),
        Err(reason) => p.push((column, value.clone(), reason)),
    }
}

fn opt_time(p: &mut Problems, column: &'static str, value: &mut Option<String>, not_before: &str) {
    if let Some(v) = value {
        if v.trim().is_empty() {
            *value = None;
            return;
        }
        match normalise_timestamp(v) {
            // Both are normalised, so text order is time order.
            Ok(t) if !not_before.is_empty() && t.as_str() < not_before => {
                p.push((column, v.clone(), format!("早于创建时间 {not_before} (before the record was created)")))
            }
            Ok(t) => *v = t,
            Err(reason) => p.push((column, v.clone(), reason)),
        }
    }
}

fn score(p: &mut Problems, column: &'static str, value: Option<i64>) {
    if value.is_some_and(|v| !(1..=5).contains(&v)) {
        p.push((column, value.unwrap_or_default().to_string(), "应为 1 到 5 (must be 1 to 5)".into()));
    }
}

fn parse_score(cells: &Cells<'_>, key: &'static str, p: &mut Problems) -> Option<i64> {
    let raw = cells.text(key)?;
    match raw.trim_end_matches(['分', '星']).parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            p.push((key, raw, "应为 1 到 5 的整数 (must be a whole number 1 to 5)".into()));
            None
        }
    }
}

impl IntakeRecord for RepairTicket {
    const KIND: IntakeKind = IntakeKind::RepairTickets;
    const SPEC: TableSpec = TableSpec {
        what: "报修记录",
        preferred_sheets: &["报修", "工单", "repair"],
        columns: &[
            col("platform_record_id", "报修单号", &["工单号", "单号", "编号", "record id", "id"], true),
            col("unit", "服务单位", &["单位", "责任单位", "维修单位"], true),
            col("category", "报修类别", &["类别", "类型", "报修类型"], false),
            col("location", "报修地点", &["地点", "位置", "地址"], false),
            col("created_at", "报修时间", &["创建时间", "提交时间", "下单时间"], true),
            col("accepted_at", "受理时间", &["接单时间"], false),
            col("completed_at", "完成时间", &["维修完成时间"], false),
            col("closed_at", "关闭时间", &["结单时间"], false),
            col("rating", "评价", &["评分", "满意度"], false),
            col("reopened", "是否返修", &["返修"], false),
        ],
    };

    fn check(&mut self) -> Problems {
        let mut p = Vec::new();
        need_text(&mut p, "platform_record_id", &mut self.platform_record_id, 128);
        need_text(&mut p, "unit", &mut self.unit, 64);
        opt_text(&mut p, "category", &mut self.category, 64);
        opt_text(&mut p, "location", &mut self.location, 200);
        need_time(&mut p, "created_at", &mut self.created_at);
        let created = if p.iter().any(|e| e.0 == "created_at") { String::new() } else { self.created_at.clone() };
        opt_time(&mut p, "accepted_at", &mut self.accepted_at, &created);
        opt_time(&mut p, "completed_at", &mut self.completed_at, &created);
        opt_time(&mut p, "closed_at", &mut self.closed_at, &created);
        score(&mut p, "rating", self.rating);
        p
    }
    fn record_id(&self) -> &str {
        &self.platform_record_id
    }
    fn unit(&self) -> Option<&str> {
        Some(&self.unit)
    }
    fn occurred_at(&self) -> &str {
        &self.created_at
    }
    fn from_row(c: &Cells<'_>) -> std::result::Result<Self, Problems> {
        let mut p = Vec::new();
        let rating = parse_score(c, "rating", &mut p);
        let reopened = match c.text("reopened").as_deref() {
            None => None,
            Some("是" | "1" | "true" | "TRUE" | "Y" | "y" | "yes") => Some(true),
            Some("否" | "0" | "false" | "FALSE" | "N" | "n" | "no") => Some(false),
            Some(other) => {
                p.push(("reopened", other.to_string(), "应为 是 或 否 (must be yes or no)".into()));
                None
            }
        };
        if !p.is_empty() {
            return Err(p);
        }
        Ok(RepairTicket {
            platform_record_id: c.required("platform_record_id"),
            unit: c.required("unit"),
            category: c.text("category"),
            location: c.text("location"),
            created_at: c.required("created_at"),
            accepted_at: c.text("accepted_at"),
            completed_at: c.text("completed_at"),
            closed_at: c.text("closed_at"),
            rating,
            reopened,
        })
    }
}

impl IntakeRecord for Complaint {
    const KIND: IntakeKind = IntakeKind::Complaints;
    const SPEC: TableSpec = TableSpec {
        what: "吐槽记录",
        preferred_sheets: &["吐槽", "投诉", "complaint"],
        columns: &[
            col("platform_record_id", "吐槽编号", &["投诉编号", "编号", "单号", "record id", "id"], true),
            col("unit", "服务单位", &["单位", "责任单位"], false),
            col("channel", "渠道", &["来源"], false),
            col("text", "内容", &["吐槽内容", "投诉内容"], true),
            col("created_at", "吐槽时间", &["投诉时间", "创建时间", "时间"], true),
            col("replied_at", "回复时间", &[], false),
            col("resolved_at", "解决时间", &["处理完成时间"], false),
            col("satisfaction", "满意度", &["评分", "评价"], false),
        ],
    };

    fn check(&mut self) -> Problems {
        let mut p = Vec::new();
        need_text(&mut p, "platform_record_id", &mut self.platform_record_id, 128);
        opt_text(&mut p, "unit", &mut self.unit, 64);
        opt_text(&mut p, "channel", &mut self.channel, 64);
        need_text(&mut p, "text", &mut self.text, 5000);
        need_time(&mut p, "created_at", &mut self.created_at);
        let created = if p.iter().any(|e| e.0 == "created_at") { String::new() } else { self.created_at.clone() };
        opt_time(&mut p, "replied_at", &mut self.replied_at, &created);
        opt_time(&mut p, "resolved_at", &mut self.resolved_at, &created);
        score(&mut p, "satisfaction", self.satisfaction);
        p
    }
    fn record_id(&self) -> &str {
        &self.platform_record_id
    }
    fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }
    fn occurred_at(&self) -> &str {
        &self.created_at
    }
    fn from_row(c: &Cells<'_>) -> std::result::Result<Self, Problems> {
        let mut p = Vec::new();
        let satisfaction = parse_score(c, "satisfaction", &mut p);
        if !p.is_empty() {
            return Err(p);
        }
        Ok(Complaint {
            platform_record_id: c.required("platform_record_id"),
            unit: c.text("unit"),
            channel: c.text("channel"),
            text: c.required("text"),
            created_at: c.required("created_at"),
            replied_at: c.text("replied_at"),
            resolved_at: c.text("resolved_at"),
            satisfaction,
        })
    }
}

/// "12.5" yuan as 1250 fen; at most two decimals, positive.
fn yuan_to_fen(raw: &str) -> Option<i64> {
    let s = raw.trim().trim_start_matches(['¥', '￥']).replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let fen = whole.parse::<i64>().ok()?.checked_mul(100)?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    fen.checked_add(frac)
}

impl IntakeRecord for Payment {
    const KIND: IntakeKind = IntakeKind::Payments;
    const SPEC: TableSpec = TableSpec {
        what: "缴费记录",
        preferred_sheets: &["缴费", "支付", "payment"],
        columns: &[
            col("platform_record_id", "订单号", &["流水号", "交易号", "单号", "record id", "id"], true),
            col("unit", "收款单位", &["单位", "服务单位"], false),
            col("item", "缴费项目", &["项目", "商品"], true),
            col("amount", "金额", &["缴费金额", "支付金额", "amount"], true),
            col("paid_at", "支付时间", &["缴费时间", "交易时间"], true),
            col("channel", "支付渠道", &["渠道"], false),
            col("status", "状态", &["交易状态"], false),
        ],
    };

    fn check(&mut self) -> Problems {
        let mut p = Vec::new();
        need_text(&mut p, "platform_record_id", &mut self.platform_record_id, 128);
        opt_text(&mut p, "unit", &mut self.unit, 64);
        need_text(&mut p, "item", &mut self.item, 64);
        if self.amount_cents <= 0 {
            p.push(("amount_cents", self.amount_cents.to_string(), "金额必须大于 0 (must be positive)".into()));
        }
        need_time(&mut p, "paid_at", &mut self.paid_at);
        opt_text(&mut p, "channel", &mut self.channel, 64);
        self.status = match self.status.as_deref().map(str::trim) {
            None | Some("" | "paid" | "已支付" | "成功" | "支付成功") => Some("paid".into()),
            Some("refunded" | "已退款" | "退款") => Some("refunded".into()),
            Some(other) => {
                p.push(("status", other.to_string(), "应为 paid（已支付）或 refunded（已退款）".into()));
                None
            }
        };
        p
    }
    fn record_id(&self) -> &str {
        &self.platform_record_id
    }
    fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }
    fn occurred_at(&self) -> &str {
        &self.paid_at
    }
    fn from_row(c: &Cells<'_>) -> std::result::Result<Self, Problems> {
        let raw = c.required("amount");
        let Some(amount_cents) = yuan_to_fen(&raw) else {
            return Err(vec![("amount", raw, "金额应为元，最多两位小数，如 12.50 (yuan, at most 2 decimals)".into())]);
        };
        Ok(Payment {
            platform_record_id: c.required("platform_record_id"),
            unit: c.text("unit"),
            item: c.required("item"),
            amount_cents,
            paid_at: c.required("paid_at"),
            channel: c.text("channel"),
            status: c.text("status"),
        })
    }
}

/// Records read from a JSON batch or a file, with what reading found wrong.
struct Intake<T> {
    /// Each record with its row number for the report.
    rows: Vec<(i64, T)>,
    /// Data rows read, those that could not become a record included.
    total: i64,
    errors: Vec<RowError>,
    /// A file's own header for each field key, so the report names the columns as the sheet
    /// does (报修时间, not created_at); empty for JSON, whose field names are the keys.
    headers: HashMap<&'static str, String>,
}

/// Validate every record, then write all or none.
async fn ingest<T: IntakeRecord>(app: &AppState, platform: &str, intake: Intake<T>) -> Result<(StatusCode, Json<IntakeReport>)> {
    let Intake { rows, total, errors: read_errors, headers } = intake;
    let column_of = |key: &str| headers.get(key).cloned().unwrap_or_else(|| key.to_string());
    let mut errors = Vec::new();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (row, mut r) in rows {
        for (column, value, reason) in r.check() {
            errors.push(RowError { row, column: column_of(column), value, reason });
        }
        if let Some(first) = seen.insert(r.record_id().to_string(), row) {
            if !r.record_id().is_empty() {
                errors.push(RowError {
                    row,
                    column: column_of("platform_record_id"),
                    value: r.record_id().into(),
                    reason: format!("与第 {first} 行重复 (the same record id as row {first})"),
                });
            }
        }
        let payload = serde_json::to_string(&r).map_err(|e| Error::Internal(e.to_string()))?;
        out.push(NewPlatformRecord {
            platform_record_id: r.record_id().to_string(),
            unit: r.unit().map(str::to_string),
            occurred_at: r.occurred_at().to_string(),
            payload,
        });
    }
    errors.extend(read_errors);
    if total == 0 && errors.is_empty() {
        errors.push(RowError { row: 0, column: String::new(), value: String::new(), reason: "没有记录 (no records)".into() });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        let report = IntakeReport { accepted: false, total, created: 0, updated: 0, unchanged: 0, errors };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(report)));
    }
    let counts = app.db.put_platform_records(platform, T::KIND.as_str(), &out, app.now_ms()).await?;
    tracing::info!(%platform, kind = T::KIND.as_str(), total, created = counts.created, updated = counts.updated, "intake");
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

/// A JSON batch as an intake: records numbered from 1.
fn numbered<T>(records: Vec<T>) -> Result<Intake<T>> {
    if records.len() > MAX_BATCH {
        return Err(Error::BadRequest(format!("at most {MAX_BATCH} records per batch; send a file for more")));
    }
    let total = records.len() as i64;
    let rows = records.into_iter().enumerate().map(|(i, r)| (i as i64 + 1, r)).collect();
    Ok(Intake { rows, total, errors: Vec::new(), headers: HashMap::new() })
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

/// Read an export file (by its first bytes: xlsx, xls, else CSV) into records numbered by their
/// row in the sheet, and the errors found while reading.
async fn read_file<T: IntakeRecord + Send + 'static>(body: Bytes) -> Result<Intake<T>> {
    let ext = if body.starts_with(b"PK\x03\x04") {
        "xlsx"
    } else if body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "xls"
    } else {
        "csv"
    };
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(format!("temp dir: {e}")))?;
        let path = dir.path().join(format!("upload.{ext}"));
        std::fs::write(&path, &body).map_err(|e| Error::Internal(format!("temp file: {e}")))?;
        let spec = T::SPEC;
        let table = match table::read(&path, &spec) {
            Ok(t) => t,
            // The file itself is unreadable (not a workbook, broken CSV quoting): a report, not a 500.
            Err(e) => {
                let reason = format!("无法读取文件 (unreadable file): {e}");
                let errors = vec![RowError { row: 0, column: String::new(), value: String::new(), reason }];
                return Ok(Intake { rows: Vec::new(), total: 0, errors, headers: HashMap::new() });
            }
        };
        let mut headers: HashMap<&'static str, String> =
            spec.columns.iter().enumerate().map(|(i, c)| (c.key, table.header(&spec, i).to_string())).collect();
        if let Some(amount) = headers.get("amount").cloned() {
            // A payment's amount is checked in fen but comes from the sheet's yuan column.
            headers.insert("amount_cents", amount);
        }
        let to_wire = |e: &zongwu_core::import::RowError| RowError {
            row: e.row,
            column: e.column.clone(),
            value: e.value.clone(),
            reason: e.reason.clone(),
        };
        let mut errors: Vec<RowError> = table.problems.iter().map(to_wire).collect();
        let mut rows = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            errors.extend(row.errors.iter().map(to_wire));
            match T::from_row(&Cells { row, spec: &spec }) {
                Ok(r) => rows.push((row.row, r)),
                Err(problems) => errors.extend(problems.into_iter().map(|(column, value, reason)| RowError {
                    row: row.row,
                    column: headers.get(column).cloned().unwrap_or_else(|| column.to_string()),
                    value,
                    reason,
                })),
            }
        }
        Ok(Intake { rows, total: table.rows.len() as i64, errors, headers })
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
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
    if let Some(kind) = params.kind.as_deref() {
        if !["repair", "complaint", "payment"].contains(&kind) {
            return Err(Error::BadRequest("kind must be repair, complaint or payment".into()));
        }
    }
    let limit = params.limit.unwrap_or(crate::api::MAX_PAGE).clamp(1, crate::api::MAX_PAGE);
    let records = app.db.list_platform_records(params.kind.as_deref(), params.after.as_deref(), limit).await?;
    let next_after = (records.len() as i64 == limit).then(|| records.last().map(|r| r.id.clone())).flatten();
    Ok(Json(PlatformRecordPage { records, next_after }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_normalise_or_explain() {
        assert_eq!(
            normalise_timestamp("2017/9/1 8:05").unwrap(),
            "2017-09-01 08:05:00",
            "slashes and single digits, as Excel shows them"
        );
        assert_eq!(normalise_timestamp(" 2017-09-01 08:05 ").unwrap(), "2017-09-01 08:05:00");
        assert_eq!(normalise_timestamp("2017-09-01T08:05:09").unwrap(), "2017-09-01 08:05:09");
        assert!(normalise_timestamp("2017-09-01").unwrap_err().contains("缺少时刻"), "a date alone is refused, not midnight");
    }

    #[test]
    fn yuan_become_fen() {
        assert_eq!(yuan_to_fen("12.5"), Some(1250));
        assert_eq!(yuan_to_fen("￥1,000"), Some(100_000));
        assert_eq!(yuan_to_fen("0.01"), Some(1));
        assert_eq!(yuan_to_fen("1.001"), None);
        assert_eq!(yuan_to_fen("-3"), None);
        assert_eq!(yuan_to_fen("abc"), None);
    }
}
