//! Bodies of the public freshman API (`/api/v1/public/…`, called by the WeChat platform's 迎新专栏),
//! of the office's plan upload (`/api/v1/housing/plans/…`) and of the platform intake
//! (`/api/v1/intake/…`).
//!
//! Data minimisation is part of the types: nothing a freshman route answers has a field for a
//! phone or ID number, and a roommate or companion carries only what the office allows others to
//! see (name, college, home city; a companion also their arrival).

use serde::{Deserialize, Serialize};

/// How a freshman proves who they are: the student number and the second factor the office set
/// (e.g. the last 6 characters of the ID number, or an admission code). Sent in the body, never
/// in the URL, so it stays out of access logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct StudentCredentials {
    pub student_no: String,
    pub second_factor: String,
}

/// `POST /api/v1/public/room` (查住宿): the student's own bed and who shares the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RoomLookup {
    pub plan_name: String,
    pub student_no: String,
    pub name: String,
    pub college: String,
    pub campus: String,
    pub building: String,
    pub room: String,
    pub bed: String,
    pub roommates: Vec<Roommate>,
}

/// A roommate as another freshman may see them (找舍友): nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Roommate {
    pub name: String,
    pub college: String,
    pub home_city: String,
}

/// `POST /api/v1/public/arrival`: register or change one's arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ArrivalRequest {
    pub student_no: String,
    pub second_factor: String,
    /// `YYYY-MM-DD`.
    pub arrival_date: String,
    /// `HH:MM`, local time.
    pub arrival_time: String,
    /// The station or airport of arrival, e.g. 徐州东站.
    pub station: String,
    /// e.g. 高铁, 火车, 飞机, 汽车, 自驾.
    pub travel_mode: String,
    /// Opt in to 同城结伴: other opted-in freshmen from the same city arriving at the same station
    /// within two hours see this student (name, college, city, arrival), and this student sees them.
    pub companions: bool,
}

/// A registered arrival as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Arrival {
    pub arrival_date: String,
    pub arrival_time: String,
    pub station: String,
    pub travel_mode: String,
    pub companions: bool,
}

/// An opted-in freshman from the same home city arriving at the same station within the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Companion {
    pub name: String,
    pub college: String,
    pub home_city: String,
    pub station: String,
    pub arrival_date: String,
    pub arrival_time: String,
    pub travel_mode: String,
}

/// `POST /api/v1/public/companions` (同城结伴).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CompanionList {
    /// Half-width of the arrival window, in minutes (120).
    pub window_minutes: i64,
    pub companions: Vec<Companion>,
}

/// `PUT /api/v1/housing/plans/{plan_id}` (office): a plan and all its assignments, replacing what
/// the server held under that id. Only a plan with `published` set is served to freshmen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PublishPlan {
    pub name: String,
    pub published: bool,
    pub assignments: Vec<PlanAssignment>,
}

/// One student's bed. The second factor arrives in clear (over TLS) and is stored only hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PlanAssignment {
    pub student_no: String,
    pub name: String,
    pub college: String,
    pub home_city: String,
    #[serde(default)]
    pub campus: String,
    pub building: String,
    pub room: String,
    pub bed: String,
    pub second_factor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PlanSummary {
    pub id: String,
    pub name: String,
    pub published: bool,
    pub published_at_ms: Option<i64>,
    pub assignments: i64,
}

/// `POST /api/v1/intake/keys` (admin): a new key for one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CreatePlatformKey {
    /// The platform's name, e.g. `cumt-wechat`; records are kept apart per platform.
    pub platform: String,
    #[serde(default)]
    pub label: String,
}

/// A created key. `key` is shown this once; the server keeps only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PlatformKey {
    pub id: String,
    pub platform: String,
    pub label: String,
    pub key: String,
}

/// A platform key as listed for the admin: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PlatformKeyInfo {
    pub id: String,
    pub platform: String,
    pub label: String,
    pub created_by: String,
    pub created_at_ms: i64,
    /// Set once the key is revoked; a revoked key is refused (401).
    pub revoked_at_ms: Option<i64>,
}

/// A repair ticket (报修) as the platform sends it. Times are `YYYY-MM-DD HH:MM[:SS]`, local.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RepairTicket {
    /// The platform's own id; sending it again updates the same record, never adds one.
    pub platform_record_id: String,
    /// The service unit responsible (its code or name as the platform knows it).
    pub unit: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub accepted_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub closed_at: Option<String>,
    /// 1 to 5.
    #[serde(default)]
    pub rating: Option<i64>,
    #[serde(default)]
    pub reopened: Option<bool>,
}

/// A complaint (吐槽).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub platform_record_id: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    pub text: String,
    pub created_at: String,
    #[serde(default)]
    pub replied_at: Option<String>,
    #[serde(default)]
    pub resolved_at: Option<String>,
    /// 1 to 5.
    #[serde(default)]
    pub satisfaction: Option<i64>,
}

/// An online payment, for reconciliation with the finance system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Payment {
    pub platform_record_id: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// What was paid for, e.g. 电费.
    pub item: String,
    /// In fen (分), positive.
    pub amount_cents: i64,
    pub paid_at: String,
    #[serde(default)]
    pub channel: Option<String>,
    /// `paid` (default) or `refunded`.
    #[serde(default)]
    pub status: Option<String>,
}

/// `POST /api/v1/intake/repair-tickets`: up to 1000 records, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RepairTicketBatch {
    pub records: Vec<RepairTicket>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ComplaintBatch {
    pub records: Vec<Complaint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PaymentBatch {
    pub records: Vec<Payment>,
}

/// What an intake did. When `accepted` is false nothing was written and `errors` says why, row by
/// row (row 1 is the first record of a JSON batch, or the sheet's own row number of a file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct IntakeReport {
    pub accepted: bool,
    pub total: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RowError {
    /// 0 for the file or batch as a whole.
    pub row: i64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// A stored platform record, as the office (and the platform that sent it) reads it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PlatformRecord {
    pub id: String,
    pub platform: String,
    /// `repair`, `complaint` or `payment`.
    pub kind: String,
    pub platform_record_id: String,
    pub unit: Option<String>,
    /// When it happened on the platform: created (repair, complaint) or paid (payment).
    pub occurred_at: String,
    /// The record's fields as last received ([`RepairTicket`], [`Complaint`] or [`Payment`]).
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub payload: serde_json::Value,
    pub received_at_ms: i64,
    pub updated_at_ms: i64,
}

/// `GET /api/v1/platform-records?kind=&after=&limit=` (office).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PlatformRecordPage {
    pub records: Vec<PlatformRecord>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}
