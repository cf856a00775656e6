//! The rules of the public freshman API (`/api/v1/public/…`, [`crate::routes::public`]) and of
//! the office's plan upload (`/api/v1/housing/plans/…`, [`crate::routes::housing`]): student
//! numbers, second factors and their hashes, arrival times, the checks of a published plan.
//!
//! The WeChat platform's 迎新专栏 calls the public routes for a freshman: 查住宿 (own bed),
//! 找舍友 (roommates' name, college, home city), arrival registration and 同城结伴 (opted-in
//! freshmen from the same city arriving at the same station within ±2 h). A freshman proves who
//! they are with their student number and the second factor the office set; only plans the
//! office published are served, and nothing served has a phone or ID number (the server does not
//! even hold them).
//!
//! **No enumeration.** An unknown student number, a wrong second factor and a student who is in
//! no published plan get the same 404 with the same message, after the same single query.
//!
//! **Why SHA-256 and not argon2 for the second factor.** Second factors are short and guessable
//! offline whatever the hash: the last six characters of an ID number have about 11 × 10⁵
//! values, so even a 50 ms argon2 falls in hours on one core — while it would cap the lookup at a
//! few dozen requests per second on two cores (the goal is 5,000). What protects the factor is
//! (a) a pepper kept outside the database ([`Settings::second_factor_pepper`]), without which a
//! copy of the database cannot test a single guess, and (b) the online rate limits per student
//! number and per address (every request counts, not only failures). So the hash is one SHA-256
//! over pepper, student number and factor: about a microsecond.
//!
//! The rate limits ([`RateLimiter`]) count where the database says: on PostgreSQL in a table
//! every instance sees, so instances behind a load balancer limit as one; on SQLite (one
//! instance) in memory.
//!
//! [`Settings::second_factor_pepper`]: crate::Settings::second_factor_pepper
//! [`RateLimiter`]: crate::limits::RateLimiter

use crate::db::housing::NewAssignment;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use zongwu_proto::public::PublishPlan;

/// The 同城结伴 window: arrivals within this many minutes either side.
pub const COMPANION_WINDOW_MINUTES: i64 = 120;
/// Most companions one answer lists.
pub const MAX_COMPANIONS: i64 = 50;
/// The one answer for "no such student", "wrong second factor" and "not in a published plan".
pub const NO_MATCH: &str = "没有找到对应的住宿信息：请核对学号和验证信息，或等待学校公布分宿结果 \
     (no published assignment matches this student number and second factor)";

/// Most assignments one plan may carry.
pub const MAX_PLAN_ROWS: usize = 100_000;

/// A student number as stored and compared: trimmed, 1 to 32 ASCII letters, digits or `-`.
pub fn normalise_student_no(raw: &str) -> Result<String> {
    let s = raw.trim();
    if (1..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(s.to_string())
    } else {
        Err(Error::BadRequest("学号格式不正确：应为 1 到 32 位字母或数字 (student_no must be 1 to 32 letters or digits)".into()))
    }
}

/// A second factor as hashed: trimmed, ASCII letters upper-cased (the `x` of an ID number).
pub fn normalise_factor(raw: &str) -> Result<String> {
    let s = raw.trim().to_ascii_uppercase();
    if (1..=64).contains(&s.chars().count()) {
        Ok(s)
    } else {
        Err(Error::BadRequest("验证信息不能为空，且不超过 64 个字符 (second_factor must be 1 to 64 characters)".into()))
    }
}

/// SHA-256 over pepper, student number and factor (normalised), as hex. See the module docs.
pub fn factor_hash(pepper: &str, student_no: &str, factor: &str) -> String {
    let mut h = Sha256::new();
    for part in [pepper, student_no, factor] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Equal without an early exit, so the comparison time says nothing about the stored hash.
pub(crate) fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Minutes since 1970-01-01 of a local date and `HH:MM`, or why not.
pub(crate) fn arrival_minute(date: &str, time: &str) -> Result<(String, String, i64)> {
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
        Error::BadRequest(format!("到校日期应为 2026-09-01 这样的格式，收到「{date}」 (arrival_date must be YYYY-MM-DD)"))
    })?;
    let t = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .map_err(|_| Error::BadRequest(format!("到校时间应为 14:30 这样的格式，收到「{time}」 (arrival_time must be HH:MM)")))?;
    let minute = d.and_time(t).and_utc().timestamp().div_euclid(60);
    Ok((d.format("%Y-%m-%d").to_string(), t.format("%H:%M").to_string(), minute))
}

/// Trimmed, 1 to `max` characters.
pub(crate) fn short_text(value: &str, what: &str, max: usize) -> Result<String> {
    let s = value.trim();
    if s.is_empty() || s.chars().count() > max || s.contains('\0') {
        Err(Error::BadRequest(format!("{what}不能为空，不超过 {max} 个字符，不含控制字符 NUL")))
    } else {
        Ok(s.to_string())
    }
}

/// Every assignment valid, no student or bed twice; the factors hashed.
pub(crate) fn validate_assignments(pepper: &str, req: &PublishPlan) -> Result<Vec<NewAssignment>> {
    let mut students = HashSet::new();
    let mut beds = HashSet::new();
    let mut out = Vec::with_capacity(req.assignments.len());
    for (i, a) in req.assignments.iter().enumerate() {
        let at = |e: Error| Error::BadRequest(format!("assignments[{i}]: {e}"));
        let student_no = normalise_student_no(&a.student_no).map_err(at)?;
        let factor = normalise_factor(&a.second_factor).map_err(at)?;
        let row = NewAssignment {
            factor_hash: factor_hash(pepper, &student_no, &factor),
            student_no,
            name: short_text(&a.name, "姓名", 64).map_err(at)?,
            college: short_text(&a.college, "学院", 64).map_err(at)?,
            home_city: short_text(&a.home_city, "生源城市", 64).map_err(at)?,
            campus: a.campus.trim().chars().filter(|c| *c != '\0').take(64).collect(),
            building: short_text(&a.building, "楼栋", 64).map_err(at)?,
            room: short_text(&a.room, "房间", 64).map_err(at)?,
            bed: short_text(&a.bed, "床位", 64).map_err(at)?,
        };
        if !students.insert(row.student_no.clone()) {
            return Err(Error::BadRequest(format!("assignments[{i}]: 学号 {} 在方案中出现了两次", row.student_no)));
        }
        if !beds.insert((row.campus.clone(), row.building.clone(), row.room.clone(), row.bed.clone())) {
            return Err(Error::BadRequest(format!(
                "assignments[{i}]: {} {} 室 {} 床被分配了两次",
                row.building, row.room, row.bed
            )));
        }
        out.push(row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_hash_depends_on_every_part_and_not_on_case_or_spaces() {
        let h = factor_hash("pepper", "2026001", &normalise_factor(" 12345x ").unwrap());
        assert_eq!(h, factor_hash("pepper", "2026001", "12345X"), "the ID number's x is compared upper-cased, trimmed");
        assert_ne!(h, factor_hash("other", "2026001", "12345X"), "another pepper gives another hash");
        assert_ne!(h, factor_hash("pepper", "2026002", "12345X"), "the student number is part of the hash");
        assert_ne!(factor_hash("p", "ab", "c"), factor_hash("p", "a", "bc"), "parts are length-delimited");
    }

    #[test]
    fn arrival_minutes_are_local_and_comparable() {
        let (_, _, a) = arrival_minute("2026-09-01", "23:30").unwrap();
        let (_, _, b) = arrival_minute("2026-09-02", "01:00").unwrap();
        assert_eq!(b - a, 90, "the window crosses midnight");
        assert!(arrival_minute("2026-9-1x", "10:00").is_err());
        assert!(arrival_minute("2026-09-01", "25:00").is_err());
    }
}
