//! The public freshman API (issue #3, test 12 and the rules around it): a freshman sees only their
//! own bed and their roommates' allowed fields; a wrong second factor answers exactly like an
//! unknown student; unpublished plans are not served; requests are limited per student and per
//! address; 同城结伴 lists only opted-in students of the same city, station and ±2 h.

use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// A plan fixture until issue #4 publishes real ones. Room 101 holds 2026001–2026003, room 102
/// 2026004; 2026005–2026008 sit in room 201 and exist for the companion cases. Every row carries
/// a phone and an ID number the way an export from the office would: the server must drop them.
pub fn fixture_plan(published: bool) -> Value {
    let row = |no: &str, name: &str, city: &str, room: &str, bed: &str| {
        json!({
            "student_no": no, "name": name, "college": "计算机学院", "home_city": city, "campus": "南湖",
            "building": "桃1", "room": room, "bed": bed, "second_factor": format!("{}X", &no[3..]),
            "phone": format!("1380000{}", &no[3..]), "id_number": format!("32030220080101{}X", &no[4..]),
        })
    };
    json!({
        "name": "2026 级新生住宿", "published": published,
        "assignments": [
            row("2026001", "王一", "徐州", "101", "1"),
            row("2026002", "李二", "南京", "101", "2"),
            row("2026003", "张三", "苏州", "101", "3"),
            row("2026004", "赵四", "徐州", "102", "1"),
            row("2026005", "钱五", "徐州", "201", "1"),
            row("2026006", "孙六", "徐州", "201", "2"),
            row("2026007", "周七", "南京", "201", "3"),
            row("2026008", "吴八", "徐州", "201", "4"),
        ],
    })
}

/// The second factor of a fixture student.
pub fn factor(no: &str) -> String {
    format!("{}X", &no[3..])
}

pub async fn put_plan(app: &TestApp, token: &str, plan_id: &str, body: &Value) -> reqwest::Response {
    app.http.put(app.url(&format!("/api/v1/housing/plans/{plan_id}"))).bearer_auth(token).json(body).send().await.unwrap()
}

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let resp = app.http.post(app.url(path)).json(&body).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn lookup(app: &TestApp, no: &str, second_factor: &str) -> (StatusCode, Value) {
    post(app, "/api/v1/public/room", json!({"student_no": no, "second_factor": second_factor})).await
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().expect("an object").keys().map(String::as_str).collect()
}

/// (12) Own room and roommates' allowed fields only; nothing of anyone's phone or ID number.
async fn a_freshman_sees_only_their_room_and_roommates_allowed_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = put_plan(&app, &app.admin_token, "plan-2026", &fixture_plan(true)).await;
    assert_eq!(resp.status(), StatusCode::OK, "the admin publishes a plan: {}", resp.text().await.unwrap());

    let (status, me) = lookup(&app, "2026001", " 6001x ").await;
    assert_eq!(status, StatusCode::OK, "the right second factor, any case and spacing: {me}");
    assert_eq!(
        keys(&me),
        BTreeSet::from(["plan_name", "student_no", "name", "college", "campus", "building", "room", "bed", "roommates"]),
        "the lookup answers exactly these fields"
    );
    assert_eq!((me["name"].as_str(), me["room"].as_str(), me["bed"].as_str()), (Some("王一"), Some("101"), Some("1")));
    let roommates = me["roommates"].as_array().unwrap();
    let names: Vec<&str> = roommates.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["李二", "张三"], "the roommates are the others of room 101, by bed; not room 102's 赵四, not oneself");
    for r in roommates {
        assert_eq!(keys(r), BTreeSet::from(["name", "college", "home_city"]), "a roommate shows name, college, home city only");
    }
    let text = me.to_string();
    for secret in ["13800006001", "13800006002", "320302", "6002X", "6003X"] {
        assert!(!text.contains(secret), "no phone, ID number or anyone's second factor in the answer ({secret}): {text}");
    }

    let (status, list) =
        post(&app, "/api/v1/public/roommates", json!({"student_no": "2026004", "second_factor": factor("2026004")})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([]), "alone in room 102: no roommates, and nobody else's");
}
both_backends!(a_freshman_sees_only_their_room_and_roommates_allowed_fields);

/// A wrong second factor, an unknown student and a student in no published plan get one answer.
async fn wrong_factor_answers_like_an_unknown_student(backend: Backend) {
    let app = spawn_app(backend).await;
    put_plan(&app, &app.admin_token, "plan-2026", &fixture_plan(true)).await;
    let mut unpublished = fixture_plan(false);
    unpublished["assignments"][0]["student_no"] = json!("2026999");
    unpublished["assignments"][0]["second_factor"] = json!(factor("2026999"));
    put_plan(&app, &app.admin_token, "draft", &unpublished).await;

    let wrong = lookup(&app, "2026001", &factor("2026002")).await;
    let unknown = lookup(&app, "2026555", &factor("2026555")).await;
    let unpublished = lookup(&app, "2026999", "6999X").await;
    assert_eq!(wrong.0, StatusCode::NOT_FOUND, "a wrong second factor is refused");
    assert_eq!(wrong, unknown, "a wrong factor answers byte for byte like an unknown student");
    assert_eq!(wrong, unpublished, "…and like a student only in an unpublished plan");
    let (status, _) = post(
        &app,
        "/api/v1/public/arrival",
        json!({
        "student_no": "2026001", "second_factor": "nope", "arrival_date": "2026-09-01", "arrival_time": "10:00",
        "station": "徐州东站", "travel_mode": "高铁", "companions": true}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nobody registers an arrival for someone else");
    let (status, _) = lookup(&app, "2026 001; DROP", "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a malformed student number is a 400, whoever asks");
}
both_backends!(wrong_factor_answers_like_an_unknown_student);

/// Only a published plan is served; unpublishing takes it away again; a newer published plan
/// wins over an older one.
async fn only_published_plans_are_served(backend: Backend) {
    let app = spawn_app(backend).await;
    put_plan(&app, &app.admin_token, "plan-2026", &fixture_plan(false)).await;
    assert_eq!(lookup(&app, "2026001", &factor("2026001")).await.0, StatusCode::NOT_FOUND, "a draft is not served");
    put_plan(&app, &app.admin_token, "plan-2026", &fixture_plan(true)).await;
    assert_eq!(lookup(&app, "2026001", &factor("2026001")).await.0, StatusCode::OK, "published, it is");

    let mut moved = fixture_plan(true);
    moved["assignments"][0]["room"] = json!("301");
    put_plan(&app, &app.admin_token, "plan-2026-b", &moved).await;
    let (_, me) = lookup(&app, "2026001", &factor("2026001")).await;
    assert_eq!(me["room"], "301", "the most recently published plan answers");

    put_plan(&app, &app.admin_token, "plan-2026-b", &json!({"name": "撤回", "published": false, "assignments": []})).await;
    put_plan(&app, &app.admin_token, "plan-2026", &fixture_plan(false)).await;
    assert_eq!(lookup(&app, "2026001", &factor("2026001")).await.0, StatusCode::NOT_FOUND, "unpublished again, not served");

    let plans: Vec<Value> =
        app.http.get(app.url("/api/v1/housing/plans")).bearer_auth(&app.admin_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(plans.len(), 2, "both plans are listed for the office");
    assert!(plans.iter().all(|p| p["published"] == false));

    let officer = app.user_token("officer1", "officer", Some("unit-1"), "officer-device").await;
    let resp = put_plan(&app, &officer, "plan-x", &fixture_plan(true)).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "an officer cannot publish housing");
    let resp = app.http.put(app.url("/api/v1/housing/plans/plan-x")).json(&fixture_plan(true)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "nor can anyone without a token");
    let mut twice = fixture_plan(true);
    twice["assignments"][1]["bed"] = json!("1");
    let resp = put_plan(&app, &app.admin_token, "plan-x", &twice).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "one bed given to two students is refused");
}
both_backends!(only_published_plans_are_served);

/// Past the limit per student number, or per address, the answer is 429; a student's limit holds
/// from any address, an address's for any student.
async fn public_requests_are_rate_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.public_requests_per_student = 3;
        s.public_requests_per_address = 5;
        s.public_client_ip_header = Some("x-real-ip".into());
    })
    .await;
    put_plan(&app, &app.admin_token, "plan-2026", &fixture_plan(true)).await;
    let ask = |no: &'static str, addr: &'static str, second_factor: String| {
        app.http
            .post(app.url("/api/v1/public/room"))
            .header("x-real-ip", addr)
            .json(&json!({"student_no": no, "second_factor": second_factor}))
            .send()
    };
    for i in 0..3 {
        let resp = ask("2026001", "10.0.0.1", factor("2026001")).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "request {i} of the student is within the limit");
    }
    let resp = ask("2026001", "10.0.0.2", factor("2026001")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "the student's fourth request is refused, from any address");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "too_many_requests");

    // Guessing other students' factors from one address: wrong answers count too.
    assert_eq!(ask("2026002", "10.0.0.3", "000000".into()).await.unwrap().status(), StatusCode::NOT_FOUND);
    for no in ["2026003", "2026003", "2026005", "2026005"] {
        assert_eq!(ask(no, "10.0.0.3", "000000".into()).await.unwrap().status(), StatusCode::NOT_FOUND);
    }
    let resp = ask("2026004", "10.0.0.3", factor("2026004")).await.unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address's sixth request is refused, even with the right factor"
    );
    let resp = ask("2026004", "10.0.0.4", factor("2026004")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "the same student from another address is still served");
}
both_backends!(public_requests_are_rate_limited);

async fn arrive(app: &TestApp, no: &str, date: &str, time: &str, station: &str, companions: bool) -> (StatusCode, Value) {
    post(
        app,
        "/api/v1/public/arrival",
        json!({
        "student_no": no, "second_factor": factor(no), "arrival_date": date, "arrival_time": time,
        "station": station, "travel_mode": "高铁", "companions": companions}),
    )
    .await
}

/// 同城结伴: opted-in, same home city, same station, within ±2 h; the asker must have opted in.
async fn companions_are_same_city_same_station_within_two_hours(backend: Backend) {
    let app = spawn_app(backend).await;
    put_plan(&app, &app.admin_token, "plan-2026", &fixture_plan(true)).await;
    let companions =
        |no: &'static str| post(&app, "/api/v1/public/companions", json!({"student_no": no, "second_factor": factor(no)}));

    assert_eq!(companions("2026001").await.0, StatusCode::CONFLICT, "no arrival registered yet");
    let (status, stored) = arrive(&app, "2026001", "2026-09-01", "23:00", " 徐州东站 ", true).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["station"], "徐州东站", "the station is stored trimmed");
    assert_eq!(arrive(&app, "2026004", "2026-09-02", "00:45", "徐州东站", true).await.0, StatusCode::OK); // Xuzhou, +1:45
    arrive(&app, "2026005", "2026-09-01", "21:00", "徐州东站", true).await; // Xuzhou, -2:00 exactly
    arrive(&app, "2026006", "2026-09-02", "01:30", "徐州东站", true).await; // Xuzhou, +2:30: too late
    arrive(&app, "2026007", "2026-09-01", "23:10", "徐州东站", true).await; // Nanjing: another city
    arrive(&app, "2026008", "2026-09-01", "23:05", "徐州站", true).await; // another station
    arrive(&app, "2026003", "2026-09-01", "23:00", "徐州东站", true).await; // Suzhou
    let (status, _) = arrive(&app, "2026001", "2026-09-01", "25:00", "徐州东站", true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an impossible time is refused");

    let (status, list) = companions("2026001").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["window_minutes"], 120);
    let names: Vec<&str> = list["companions"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["钱五", "赵四"], "same city and station within ±2 h (across midnight), earliest first");
    for c in list["companions"].as_array().unwrap() {
        assert_eq!(
            keys(c),
            BTreeSet::from(["name", "college", "home_city", "station", "arrival_date", "arrival_time", "travel_mode"]),
            "a companion shows these fields only"
        );
    }

    // 赵四 opts out: gone from the list, and may no longer look at others.
    arrive(&app, "2026004", "2026-09-02", "00:45", "徐州东站", false).await;
    let (_, list) = companions("2026001").await;
    assert_eq!(list["companions"].as_array().unwrap().len(), 1, "an opted-out student is not listed");
    assert_eq!(companions("2026004").await.0, StatusCode::CONFLICT, "without opting in one sees nobody");
}
both_backends!(companions_are_same_city_same_station_within_two_hours);
