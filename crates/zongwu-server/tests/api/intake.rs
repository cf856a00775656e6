//! Platform intake (issue #3): per-platform API keys, idempotent by the platform's record id,
//! platforms kept apart, bulk files (GBK CSV, xlsx) all-or-nothing with a row-level report.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A new key for `platform`, created by the admin.
async fn platform_key(app: &TestApp, platform: &str) -> String {
    let resp = app
        .http
        .post(app.url("/api/v1/intake/keys"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"platform": platform, "label": "测试"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED, "the admin creates a platform key");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["platform"], platform);
    body["key"].as_str().expect("the key is shown once").to_string()
}

async fn send(app: &TestApp, key: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let resp = app.http.post(app.url(path)).header("x-api-key", key).json(&body).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn send_file(app: &TestApp, key: &str, kind: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let resp =
        app.http.post(app.url(&format!("/api/v1/intake/{kind}/file"))).header("x-api-key", key).body(bytes).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Every stored record of `kind`, as the office lists them.
async fn stored(app: &TestApp, kind: &str) -> Vec<Value> {
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/platform-records?kind={kind}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let page: Value = resp.json().await.unwrap();
    page["records"].as_array().unwrap().clone()
}

fn ticket(id: &str, unit: &str) -> Value {
    json!({"platform_record_id": id, "unit": unit, "category": "水电", "location": "桃1-101", "created_at": "2026-09-01 10:00"})
}

/// A replayed batch stores each record once; a later state of a record updates its one row.
async fn intake_replay_stores_one_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = platform_key(&app, "wechat").await;
    let batch = json!({"records": [ticket("R1", "水电中心"), ticket("R2", "物业中心")]});
    let (status, report) = send(&app, &key, "/api/v1/intake/repair-tickets", batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["created"].as_i64(), report["unchanged"].as_i64()), (Some(2), Some(0)));
    let (_, report) = send(&app, &key, "/api/v1/intake/repair-tickets", batch).await;
    assert_eq!((report["created"].as_i64(), report["unchanged"].as_i64()), (Some(0), Some(2)), "a replay changes nothing");
    assert_eq!(stored(&app, "repair").await.len(), 2, "each record is stored once");

    let mut done = ticket("R1", "水电中心");
    done["completed_at"] = json!("2026-09-01 15:30");
    done["rating"] = json!(5);
    let (_, report) = send(&app, &key, "/api/v1/intake/repair-tickets", json!({"records": [done]})).await;
    assert_eq!(report["updated"], 1, "a later state of the same ticket updates it");
    let records = stored(&app, "repair").await;
    assert_eq!(records.len(), 2, "still one row per ticket");
    let r1 = records.iter().find(|r| r["platform_record_id"] == "R1").unwrap();
    assert_eq!((r1["payload"]["rating"].as_i64(), r1["occurred_at"].as_str()), (Some(5), Some("2026-09-01 10:00:00")));

    let (status, report) = send(
        &app,
        &key,
        "/api/v1/intake/complaints",
        json!({"records": [
        {"platform_record_id": "C1", "text": "食堂排队太久", "created_at": "2026-09-02 12:00", "satisfaction": 2}]}),
    )
    .await;
    assert_eq!((status, report["created"].as_i64()), (StatusCode::OK, Some(1)));
    let (status, _) = send(
        &app,
        &key,
        "/api/v1/intake/payments",
        json!({"records": [
        {"platform_record_id": "P1", "item": "电费", "amount_cents": 5000, "paid_at": "2026-09-02 12:00"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored(&app, "payment").await.len(), 1, "kinds are kept apart");
}
both_backends!(intake_replay_stores_one_row);

/// No key or a wrong key is 401; only an admin creates keys.
async fn intake_refuses_bad_keys(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = platform_key(&app, "wechat").await;
    let batch = json!({"records": [ticket("R1", "水电中心")]});
    let resp = app.http.post(app.url("/api/v1/intake/repair-tickets")).json(&batch).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "no key, no intake");
    let (status, _) = send(&app, &format!("{key}0"), "/api/v1/intake/repair-tickets", batch.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong key is refused");
    let (status, _) = send(&app, &app.admin_token, "/api/v1/intake/repair-tickets", batch).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a user's token is not a platform key");
    assert!(stored(&app, "repair").await.is_empty(), "nothing was written");

    let office = app.user_token("office1", "office", None, "office-device").await;
    let resp =
        app.http.post(app.url("/api/v1/intake/keys")).bearer_auth(&office).json(&json!({"platform": "x"})).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "only an admin creates platform keys");
    let officer = app.user_token("officer1", "officer", Some("unit-1"), "officer-device").await;
    let resp = app.http.get(app.url("/api/v1/platform-records")).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "officers do not read other units' platform data");

    // A revoked key is refused from then on; the list never shows a key, only its id.
    let keys: Value =
        app.http.get(app.url("/api/v1/intake/keys")).bearer_auth(&app.admin_token).send().await.unwrap().json().await.unwrap();
    assert!(!keys.to_string().contains(&key), "the key itself is never listed");
    let id = keys[0]["id"].as_str().unwrap();
    let revoke = || app.http.delete(app.url(&format!("/api/v1/intake/keys/{id}"))).bearer_auth(&app.admin_token).send();
    assert_eq!(revoke().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(revoke().await.unwrap().status(), StatusCode::NOT_FOUND, "a key is revoked once");
    let (status, _) = send(&app, &key, "/api/v1/intake/repair-tickets", json!({"records": [ticket("R1", "水电中心")]})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked key is refused");
}
both_backends!(intake_refuses_bad_keys);

/// Another platform's key reaches only its own records, even under the same record ids.
async fn platforms_cannot_touch_each_others_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = platform_key(&app, "wechat").await;
    let b = platform_key(&app, "alipay").await;
    send(&app, &a, "/api/v1/intake/repair-tickets", json!({"records": [ticket("R1", "水电中心"), ticket("R2", "水电中心")]}))
        .await;
    let (status, report) = send(&app, &b, "/api/v1/intake/repair-tickets", json!({"records": [ticket("R1", "伪造单位")]})).await;
    assert_eq!((status, report["created"].as_i64()), (StatusCode::OK, Some(1)), "B's R1 is B's own record, not an update of A's");

    let get = |key: &str, id: &str| {
        app.http.get(app.url(&format!("/api/v1/intake/repair-tickets/records/{id}"))).header("x-api-key", key).send()
    };
    let mine: Value = get(&a, "R1").await.unwrap().json().await.unwrap();
    assert_eq!((mine["platform"].as_str(), mine["unit"].as_str()), (Some("wechat"), Some("水电中心")), "A's record is untouched");
    assert_eq!(get(&b, "R2").await.unwrap().status(), StatusCode::NOT_FOUND, "B cannot read A's records");
    let records = stored(&app, "repair").await;
    assert_eq!(records.len(), 3);
    assert_eq!(records.iter().filter(|r| r["platform"] == "alipay").count(), 1);
}
both_backends!(platforms_cannot_touch_each_others_records);

/// A platform export with one bad row writes nothing and names the row; the fixed file is taken
/// whole. GBK CSV, xlsx with a title row, a JSON batch, and bytes that are no file at all.
async fn bad_bulk_file_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = platform_key(&app, "wechat").await;
    let csv = |third_time: &str| {
        let text = format!(
            "报修单号,服务单位,报修类别,报修地点,报修时间,完成时间,评价\r\n\
             W001,水电中心,水电,桃1-101,2026-09-01 08:00,2026-09-01 09:30,5\r\n\
             W002,物业中心,门窗,桃1-102,2026/9/1 8:05,,\r\n\
             W003,物业中心,门窗,桃1-103,{third_time},,4\r\n"
        );
        encoding_rs::GBK.encode(&text).0.into_owned()
    };
    let (status, report) = send_file(&app, &key, "repair-tickets", csv("2026-09-01")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["accepted"], false);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "exactly the bad cell is reported: {report}");
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["column"].as_str()),
        (Some(4), Some("报修时间")),
        "row 4, named by the sheet's own header"
    );
    assert!(stored(&app, "repair").await.is_empty(), "a bad file writes nothing, not even its good rows");

    let (status, report) = send_file(&app, &key, "repair-tickets", csv("2026-09-01 08:10")).await;
    assert_eq!((status, report["created"].as_i64()), (StatusCode::OK, Some(3)), "the fixed GBK file is taken whole: {report}");
    let (_, report) = send_file(&app, &key, "repair-tickets", csv("2026-09-01 08:10")).await;
    assert_eq!(report["unchanged"], 3, "uploading the same export again adds nothing");

    // An xlsx export with a title row above the header; amounts in yuan.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "2026年9月缴费明细").unwrap();
    for (c, h) in ["订单号", "缴费项目", "金额（元）", "支付时间"].iter().enumerate() {
        sheet.write(1, c as u16, *h).unwrap();
    }
    let rows = [["P001", "电费", "30.5", "2026-09-01 10:00"], ["P002", "热水", "-1", "2026-09-01 11:00"]];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write(r as u32 + 2, c as u16, *v).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let (status, report) = send_file(&app, &key, "payments", bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a negative amount spoils the file: {report}");
    assert_eq!(report["errors"][0]["row"], 4, "the sheet's own row number, title row counted");
    assert_eq!(report["total"], 2, "both data rows are counted, the unreadable one too");
    assert_eq!(report["errors"][0]["column"], "金额(元)", "the column as the sheet names it (half-width brackets)");
    assert!(stored(&app, "payment").await.is_empty());

    let (status, report) = send_file(&app, &key, "complaints", b"PK\x03\x04 not really a workbook".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an unreadable file is a report, not a server error: {report}");
    assert_eq!(report["errors"][0]["row"], 0);

    let (status, report) = send(
        &app,
        &key,
        "/api/v1/intake/complaints",
        json!({"records": [
        {"platform_record_id": "C1", "text": "好", "created_at": "2026-09-02 12:00"},
        {"platform_record_id": "C1", "text": "", "created_at": "2026-09-02 12:00", "satisfaction": 9}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let columns: Vec<&str> = report["errors"].as_array().unwrap().iter().map(|e| e["column"].as_str().unwrap()).collect();
    assert_eq!(columns.len(), 3, "empty text, score 9 and the repeated id are all reported: {report}");
    assert!(stored(&app, "complaint").await.is_empty(), "a bad JSON batch writes nothing either");

    // PostgreSQL cannot store NUL in text: a row error on both backends, never a 500.
    let (status, report) =
        send(&app, &key, "/api/v1/intake/repair-tickets", json!({"records": [ticket("R\u{0}9", "水\u{0}电")]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["errors"].as_array().unwrap().len(), 2, "both NUL fields are named: {report}");
}
both_backends!(bad_bulk_file_writes_nothing);

/// Issue #9: an export written by another program — ratings as float cells, `4.0` and `４`,
/// times as Excel date-time cells and as text in other forms, long order numbers as text —
/// is taken whole; a half rating refuses the file and says why.
async fn exports_of_other_programs_are_read_with_the_shared_tolerance(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = platform_key(&app, "wechat").await;
    let book = |r3_rating: f64| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["报修单号", "服务单位", "报修时间", "完成时间", "评价", "是否返修"].iter().enumerate()
        {
            sheet.write(0, c as u16, *h).unwrap();
        }
        let date_time = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d h:mm");
        let at = |h, m| rust_xlsxwriter::ExcelDateTime::from_ymd(2017, 9, 14).unwrap().and_hms(h, m, 0).unwrap();
        // R1: a float rating, date-time cells; R2: text 4.0 and a text time; R3: full-width ４.
        sheet.write_string(1, 0, "R1").unwrap();
        sheet.write_string(1, 1, "水电中心").unwrap();
        sheet.write_datetime_with_format(1, 2, at(11, 29), &date_time).unwrap();
        sheet.write_datetime_with_format(1, 3, at(15, 5), &date_time).unwrap();
        sheet.write_number(1, 4, 4.0).unwrap();
        sheet.write_boolean(1, 5, false).unwrap();
        for (c, v) in ["R2", "物业中心", "2017年9月14日 11：29", "2017/9/14 下午 3:05", "4.0", "√"].iter().enumerate()
        {
            sheet.write_string(2, c as u16, *v).unwrap();
        }
        sheet.write_string(3, 0, "R3").unwrap();
        sheet.write_string(3, 1, "物业中心").unwrap();
        sheet.write_datetime_with_format(3, 2, at(11, 29), &date_time).unwrap();
        if r3_rating == 4.0 {
            sheet.write_string(3, 4, "４").unwrap();
        } else {
            sheet.write_number(3, 4, r3_rating).unwrap();
        }
        book.save_to_buffer().unwrap()
    };

    let (status, report) = send_file(&app, &key, "repair-tickets", book(4.5)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "only the half rating is wrong: {report}");
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["column"].as_str(), errors[0]["value"].as_str()),
        (Some(4), Some("评价"), Some("4.5"))
    );
    assert!(errors[0]["reason"].as_str().unwrap().contains("不是整数"), "a clear reason: {report}");
    assert!(stored(&app, "repair").await.is_empty());

    let (status, report) = send_file(&app, &key, "repair-tickets", book(4.0)).await;
    assert_eq!((status, report["created"].as_i64()), (StatusCode::OK, Some(3)), "{report}");
    let records = stored(&app, "repair").await;
    let by_id = |id: &str| records.iter().find(|r| r["platform_record_id"] == id).unwrap().clone();
    for id in ["R1", "R2", "R3"] {
        let r = by_id(id);
        assert_eq!(r["payload"]["rating"].as_i64(), Some(4), "{id}: a float cell, 4.0 and ４ are the rating 4: {r}");
        assert_eq!(r["occurred_at"], "2017-09-14 11:29:00", "{id}: the time of day is kept, not only the date: {r}");
    }
    assert_eq!(by_id("R1")["payload"]["completed_at"], "2017-09-14 15:05:00");
    assert_eq!(by_id("R2")["payload"]["completed_at"], "2017-09-14 15:05:00", "下午 3:05 is 15:05");
    assert_eq!(
        (by_id("R1")["payload"]["reopened"].as_bool(), by_id("R2")["payload"]["reopened"].as_bool()),
        (Some(false), Some(true))
    );

    // A GBK CSV: a 24-digit order number stays whole; thousands separators in an amount.
    let text = "订单号,缴费项目,金额,支付时间\r\n202609010000000000000001,电费,\"1,234.50\",2026-09-01 10:00:00\r\n";
    let (status, report) = send_file(&app, &key, "payments", encoding_rs::GBK.encode(text).0.into_owned()).await;
    assert_eq!((status, report["created"].as_i64()), (StatusCode::OK, Some(1)), "{report}");
    let payment = &stored(&app, "payment").await[0];
    assert_eq!(payment["platform_record_id"], "202609010000000000000001");
    assert_eq!(payment["payload"]["amount_cents"], 123_450);
}
both_backends!(exports_of_other_programs_are_read_with_the_shared_tolerance);
