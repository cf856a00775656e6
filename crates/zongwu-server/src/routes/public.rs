//! `/api/v1/public/…`: the freshman API the WeChat platform's 迎新专栏 calls — 查住宿, 找舍友,
//! arrival registration and 同城结伴. The rules (and why the second factor is hashed as it is)
//! are in [`crate::housing`].

use crate::app::{AppState, Json, PublicAddr};
use crate::db::housing::{CompanionQuery, StoredAssignment};
use crate::error::{Error, Result};
use crate::housing::{
    arrival_minute, factor_hash, normalise_factor, normalise_student_no, same_hash, short_text, COMPANION_WINDOW_MINUTES,
    MAX_COMPANIONS, NO_MATCH,
};
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use std::net::IpAddr;
use zongwu_proto::api::ErrorBody;
use zongwu_proto::public::{Arrival, ArrivalRequest, CompanionList, RoomLookup, Roommate, StudentCredentials};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/room", post(room))
        .route("/public/roommates", post(roommates))
        .route("/public/arrival", post(register_arrival))
        .route("/public/companions", post(companions))
}

/// Check the rate limits, then the credentials; the student's bed in the newest published plan,
/// and their roommates.
async fn authenticate(
    app: &AppState,
    creds: &StudentCredentials,
    addr: Option<IpAddr>,
) -> Result<(StoredAssignment, Vec<Roommate>)> {
    let student_no = normalise_student_no(&creds.student_no)?;
    let factor = normalise_factor(&creds.second_factor)?;
    let student_key = format!("student:{student_no}");
    let addr_key = addr.map(|a| format!("addr:{a}"));
    let mut limits = vec![(student_key.as_str(), app.settings.public_requests_per_student)];
    if let Some(a) = &addr_key {
        limits.push((a.as_str(), app.settings.public_requests_per_address));
    }
    if !app.public_limiter.admit(&limits, app.now_ms()).await? {
        return Err(Error::TooManyRequests);
    }
    let hash = factor_hash(&app.pepper, &student_no, &factor);
    match app.db.published_room(&student_no).await? {
        Some((me, roommates)) if same_hash(&me.factor_hash, &hash) => Ok((me, roommates)),
        _ => Err(Error::NotFound(NO_MATCH.into())),
    }
}

#[utoipa::path(post, path = "/api/v1/public/room", tag = "public", request_body = StudentCredentials,
    responses((status = 200, description = "查住宿: the student's own bed and roommates", body = RoomLookup),
              (status = 400, body = ErrorBody),
              (status = 404, description = "unknown student, wrong second factor or no published plan (one answer)", body = ErrorBody),
              (status = 429, description = "too many requests for this student or from this address", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
async fn room(
    State(app): State<AppState>,
    PublicAddr(addr): PublicAddr,
    Json(creds): Json<StudentCredentials>,
) -> Result<Json<RoomLookup>> {
    let (me, roommates) = authenticate(&app, &creds, addr).await?;
    Ok(Json(RoomLookup {
        plan_name: me.plan_name,
        student_no: me.student_no,
        name: me.name,
        college: me.college,
        campus: me.campus,
        building: me.building,
        room: me.room,
        bed: me.bed,
        roommates,
    }))
}

#[utoipa::path(post, path = "/api/v1/public/roommates", tag = "public", request_body = StudentCredentials,
    responses((status = 200, description = "找舍友: name, college and home city of each roommate", body = Vec<Roommate>),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
async fn roommates(
    State(app): State<AppState>,
    PublicAddr(addr): PublicAddr,
    Json(creds): Json<StudentCredentials>,
) -> Result<Json<Vec<Roommate>>> {
    let (_, roommates) = authenticate(&app, &creds, addr).await?;
    Ok(Json(roommates))
}

#[utoipa::path(post, path = "/api/v1/public/arrival", tag = "public", request_body = ArrivalRequest,
    responses((status = 200, description = "the arrival as stored (replaces an earlier one)", body = Arrival),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
async fn register_arrival(
    State(app): State<AppState>,
    PublicAddr(addr): PublicAddr,
    Json(req): Json<ArrivalRequest>,
) -> Result<Json<Arrival>> {
    let creds = StudentCredentials { student_no: req.student_no.clone(), second_factor: req.second_factor.clone() };
    let (me, _) = authenticate(&app, &creds, addr).await?;
    let (arrival_date, arrival_time, minute) = arrival_minute(&req.arrival_date, &req.arrival_time)?;
    let arrival = Arrival {
        arrival_date,
        arrival_time,
        station: short_text(&req.station, "到达车站", 64)?,
        travel_mode: short_text(&req.travel_mode, "交通方式", 32)?,
        companions: req.companions,
    };
    app.db.put_arrival(&me.student_no, &arrival, minute, app.now_ms()).await?;
    Ok(Json(arrival))
}

#[utoipa::path(post, path = "/api/v1/public/companions", tag = "public", request_body = StudentCredentials,
    responses((status = 200, description = "同城结伴: opted-in freshmen of the same home city arriving at the same station within ±2 h",
               body = CompanionList),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "no arrival registered yet, or not opted in", body = ErrorBody),
              (status = 429, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
async fn companions(
    State(app): State<AppState>,
    PublicAddr(addr): PublicAddr,
    Json(creds): Json<StudentCredentials>,
) -> Result<Json<CompanionList>> {
    let (me, _) = authenticate(&app, &creds, addr).await?;
    let Some((arrival, minute)) = app.db.arrival(&me.student_no).await? else {
        return Err(Error::Conflict("请先登记到校日期、时间和车站，再查同城结伴 (register your arrival first)".into()));
    };
    if !arrival.companions {
        // Only those who show themselves see others.
        return Err(Error::Conflict("请先在到校登记中选择愿意同城结伴 (opt in to companions in your arrival first)".into()));
    }
    let list = app
        .db
        .companions(&CompanionQuery {
            plan_id: &me.plan_id,
            student_no: &me.student_no,
            home_city: &me.home_city,
            station: &arrival.station,
            from_minute: minute - COMPANION_WINDOW_MINUTES,
            to_minute: minute + COMPANION_WINDOW_MINUTES,
            limit: MAX_COMPANIONS,
        })
        .await?;
    Ok(Json(CompanionList { window_minutes: COMPANION_WINDOW_MINUTES, companions: list }))
}
