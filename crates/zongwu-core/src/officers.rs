//! The liaison-officer roster (信息专员): one row per officer and term, their training records,
//! and the officer-role user that lets them submit needs for their unit.

use crate::fields::{optional, parse_date, Phone, StaffNo};
use crate::store::{new_id, NewRow, Table, WriteTx};
use crate::{dto, enum_dto, users, Actor, Error, Result, Store};
use serde_json::json;

enum_dto! {
    #[derive(sqlx::Type, Copy, Eq)]
    #[sqlx(type_name = "TEXT", rename_all = "snake_case")]
    pub enum OfficerStatus {
        Active,
        Retired,
    }
}

impl OfficerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfficerStatus::Active => "active",
            OfficerStatus::Retired => "retired",
        }
    }
    fn parse(s: &str) -> OfficerStatus {
        if s == "retired" {
            OfficerStatus::Retired
        } else {
            OfficerStatus::Active
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            OfficerStatus::Active => "在任",
            OfficerStatus::Retired => "已卸任",
        }
    }
}

dto! {
    /// A roster line for lists: the phone is masked.
    #[derive(sqlx::FromRow)]
    pub struct OfficerRow {
        pub id: String,
        pub unit_id: String,
        pub unit_name: String,
        pub staff_no: String,
        pub name: String,
        pub title: Option<String>,
        pub phone_masked: Option<String>,
        pub term_start: Option<String>,
        pub term_end: Option<String>,
        pub status: OfficerStatus,
        pub training_count: i64,
    }
}

dto! {
    pub struct Officer {
        pub id: String,
        pub unit_id: String,
        pub staff_no: String,
        pub name: String,
        pub gender: Option<String>,
        pub title: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub term_start: Option<String>,
        pub term_end: Option<String>,
        pub duties: Option<String>,
        pub status: OfficerStatus,
        pub retired_on: Option<String>,
        pub note: Option<String>,
    }
}

dto! {
    pub struct OfficerInput {
        pub id: Option<String>,
        pub unit_id: String,
        pub staff_no: String,
        pub name: String,
        pub gender: Option<String>,
        pub title: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub term_start: Option<String>,
        pub term_end: Option<String>,
        pub duties: Option<String>,
        pub note: Option<String>,
    }
}

dto! {
    pub struct Training {
        pub id: String,
        pub officer_id: String,
        pub date: String,
        pub topic: String,
        pub attended: bool,
        pub hours: Option<f64>,
    }
}

dto! {
    pub struct TrainingInput {
        pub officer_id: String,
        pub date: String,
        pub topic: String,
        pub attended: bool,
        pub hours: Option<f64>,
    }
}

dto! {
    pub struct OfficerDetail {
        pub officer: Officer,
        pub trainings: Vec<Training>,
    }
}

/// An officer's fields after validation; the import builds the same value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOfficer {
    pub unit_id: String,
    pub staff_no: String,
    pub name: String,
    pub gender: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    pub duties: Option<String>,
    pub note: Option<String>,
}

dto! {
    /// A field that fails validation, for a form: the field's name as the window spells it
    /// (camelCase, like [`OfficerInput`]) and the Chinese sentence to show next to it.
    pub struct FieldError {
        pub field: String,
        pub message: String,
    }
}

/// Every field error of `input`, in form order; empty when the officer would be accepted. The
/// same checks as [`ValidOfficer::parse`] (the form asks this before it saves).
pub fn validate(input: &OfficerInput) -> Vec<FieldError> {
    match ValidOfficer::check(input) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().map(|(field, message)| FieldError { field: camel_case(field), message }).collect(),
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl ValidOfficer {
    /// Check every field; the error names the first field that is wrong.
    pub fn parse(input: &OfficerInput) -> Result<ValidOfficer, (&'static str, String)> {
        ValidOfficer::check(input).map_err(|mut errors| errors.swap_remove(0))
    }

    /// Check every field; the error lists each field that is wrong (never empty).
    pub fn check(input: &OfficerInput) -> Result<ValidOfficer, Vec<(&'static str, String)>> {
        let mut errors: Vec<(&'static str, String)> = Vec::new();
        let staff_no = match StaffNo::parse(&input.staff_no) {
            Ok(s) => s.into_string(),
            Err(e) => {
                errors.push(("staff_no", e));
                String::new()
            }
        };
        let name = crate::fields::normalise_text(&input.name);
        if name.is_empty() {
            errors.push(("name", "姓名不能为空".into()));
        }
        let phone = match optional(input.phone.as_deref()).map(|p| Phone::parse(&p)) {
            Some(Ok(p)) => Some(p.as_str().to_string()),
            Some(Err(e)) => {
                errors.push(("phone", e));
                None
            }
            None => None,
        };
        let email = optional(input.email.as_deref());
        if let Some(e) = &email {
            if !e.contains('@') || e.starts_with('@') || e.ends_with('@') {
                errors.push(("email", format!("邮箱格式不正确：{e}")));
            }
        }
        let mut date = |field: &'static str, v: Option<&str>| -> Option<String> {
            match optional(v).map(|d| parse_date(&d)) {
                Some(Ok(d)) => Some(d.to_string()),
                Some(Err(e)) => {
                    errors.push((field, e));
                    None
                }
                None => None,
            }
        };
        let term_start = date("term_start", input.term_start.as_deref());
        let term_end = date("term_end", input.term_end.as_deref());
        if let (Some(s), Some(e)) = (&term_start, &term_end) {
            if e < s {
                errors.push(("term_end", format!("任期结束 {e} 早于开始 {s}")));
            }
        }
        let gender = optional(input.gender.as_deref());
        if let Some(g) = &gender {
            if g != "男" && g != "女" {
                errors.push(("gender", format!("性别应为 男 或 女：{g}")));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidOfficer {
            unit_id: input.unit_id.clone(),
            staff_no,
            name,
            gender,
            title: optional(input.title.as_deref()),
            phone,
            email,
            term_start,
            term_end,
            duties: optional(input.duties.as_deref()),
            note: optional(input.note.as_deref()),
        })
    }

    fn columns(&self) -> serde_json::Value {
        json!({
            "staff_no": self.staff_no, "name": self.name, "gender": self.gender, "title": self.title,
            "phone": self.phone, "email": self.email, "term_start": self.term_start, "term_end": self.term_end,
            "duties": self.duties, "note": self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
struct OfficerRecord {
    id: String,
    unit_id: String,
    staff_no: String,
    name: String,
    gender: Option<String>,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    term_start: Option<String>,
    term_end: Option<String>,
    duties: Option<String>,
    status: String,
    retired_on: Option<String>,
    note: Option<String>,
}

impl From<OfficerRecord> for Officer {
    fn from(r: OfficerRecord) -> Self {
        Officer {
            id: r.id,
            unit_id: r.unit_id,
            staff_no: r.staff_no,
            name: r.name,
            gender: r.gender,
            title: r.title,
            phone: r.phone,
            email: r.email,
            term_start: r.term_start,
            term_end: r.term_end,
            duties: r.duties,
            status: OfficerStatus::parse(&r.status),
            retired_on: r.retired_on,
            note: r.note,
        }
    }
}

/// The roster as `actor` may see it: officers see only their own unit.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<OfficerRow>> {
    let rows: Vec<OfficerRow> = sqlx::query_as(
        "SELECT o.id, o.unit_id, COALESCE(u.name, '') AS unit_name, o.staff_no, o.name, o.title, o.phone AS phone_masked,
                o.term_start, o.term_end, o.status,
                (SELECT COUNT(*) FROM trainings t WHERE t.officer_id = o.id AND t.deleted = 0) AS training_count
         FROM officers o LEFT JOIN units u ON u.id = o.unit_id
         WHERE o.deleted = 0 ORDER BY u.code, o.staff_no",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| actor.can_see_unit(Some(&r.unit_id)))
        .map(|r| OfficerRow { phone_masked: r.phone_masked.as_deref().map(Phone::masked), ..r })
        .collect())
}

pub async fn get(store: &Store, actor: &Actor, id: &str) -> Result<OfficerDetail> {
    let officer: Officer = sqlx::query_as::<_, OfficerRecord>(
        "SELECT id, unit_id, staff_no, name, gender, title, phone, email, term_start, term_end, duties, status, retired_on, note
         FROM officers WHERE id = ? AND deleted = 0",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| Error::NotFound(format!("信息专员 {id}")))?
    .into();
    actor.require_unit(&officer.unit_id)?;
    let trainings: Vec<(String, String, String, String, i64, Option<f64>)> = sqlx::query_as(
        "SELECT id, officer_id, date, topic, attended, hours FROM trainings WHERE officer_id = ? AND deleted = 0 ORDER BY date DESC",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let trainings = trainings
        .into_iter()
        .map(|(id, officer_id, date, topic, attended, hours)| Training {
            id,
            officer_id,
            date,
            topic,
            attended: attended != 0,
            hours,
        })
        .collect();
    Ok(OfficerDetail { officer, trainings })
}

/// Create or edit an officer. A new officer also gets an officer-role user for their unit.
pub async fn save(store: &Store, actor: &Actor, input: OfficerInput) -> Result<Officer> {
    actor.require("officers", zongwu_proto::rules::Action::Update, "维护信息专员名册")?;
    let valid = ValidOfficer::parse(&input).map_err(|(_, e)| Error::Validation(e))?;
    let mut tx = store.begin_write(actor).await?;
    require_unit_exists(&mut tx, &valid.unit_id).await?;
    require_staff_no_free(&mut tx, &valid.staff_no, input.id.as_deref()).await?;
    let id = match input.id {
        Some(id) => {
            let current: Option<Option<String>> = sqlx::query_scalar("SELECT unit_id FROM officers WHERE id = ? AND deleted = 0")
                .bind(&id)
                .fetch_optional(tx.conn())
                .await?;
            let current = current.ok_or_else(|| Error::NotFound(format!("信息专员 {id}")))?;
            // The unit is the row's sync scope; a transfer is a retirement plus a new term.
            if current.as_deref() != Some(valid.unit_id.as_str()) {
                return Err(Error::validation("不能直接更改所属单位：请先办理卸任，再在新单位新增任期"));
            }
            tx.update(Table::Officers, &id, valid.columns()).await?;
            id
        }
        None => insert_valid(&mut tx, &valid).await?,
    };
    tx.commit().await?;
    Ok(get(store, actor, &id).await?.officer)
}

/// Insert one validated officer with their user; the caller checked uniqueness and the unit.
pub(crate) async fn insert_valid(tx: &mut WriteTx<'_>, valid: &ValidOfficer) -> Result<String> {
    let (user, officer) = new_rows(valid);
    let id = officer.id.clone();
    tx.insert_many(Table::Users, vec![user]).await?;
    tx.insert_many(Table::Officers, vec![officer]).await?;
    Ok(id)
}

/// The rows a new officer is written as: the officer-role user that lets them act for their
/// unit, and the officer. Imports insert many of them at once.
pub(crate) fn new_rows(valid: &ValidOfficer) -> (NewRow, NewRow) {
    let user = users::officer_user_row(&valid.name, &valid.unit_id, valid.phone.as_deref());
    let mut cols = valid.columns();
    cols["status"] = json!("active");
    cols["user_id"] = json!(user.id);
    (user, NewRow { id: new_id(), unit_id: Some(valid.unit_id.clone()), columns: cols })
}

async fn require_unit_exists(tx: &mut WriteTx<'_>, unit_id: &str) -> Result<()> {
    let ok: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM units WHERE id = ? AND deleted = 0").bind(unit_id).fetch_optional(tx.conn()).await?;
    ok.map(|_| ()).ok_or_else(|| Error::validation("所选单位不存在"))
}

/// End an officer's term: the roster keeps them as 已卸任 and their user can no longer act.
pub async fn retire(store: &Store, actor: &Actor, id: &str, date: &str, reason: &str) -> Result<()> {
    actor.require("officers", zongwu_proto::rules::Action::Update, "办理信息专员卸任")?;
    let date = parse_date(date).map_err(Error::Validation)?.to_string();
    set_status(store, actor, id, OfficerStatus::Retired, Some(date), reason).await
}

pub async fn reinstate(store: &Store, actor: &Actor, id: &str) -> Result<()> {
    actor.require("officers", zongwu_proto::rules::Action::Update, "恢复信息专员")?;
    set_status(store, actor, id, OfficerStatus::Active, None, "恢复在任").await
}

/// A staff number identifies one person, who holds at most one active term: a retired term
/// keeps its number in the roster's history, and the same person may start a new term in another
/// unit (a transfer is a retirement plus a new term).
async fn require_staff_no_free(tx: &mut WriteTx<'_>, staff_no: &str, except_id: Option<&str>) -> Result<()> {
    let clash: Option<(String, String)> = sqlx::query_as(
        "SELECT o.name, COALESCE(u.name, '') FROM officers o LEFT JOIN units u ON u.id = o.unit_id
         WHERE o.staff_no = ? AND o.deleted = 0 AND o.status = 'active' AND o.id != ?",
    )
    .bind(staff_no)
    .bind(except_id.unwrap_or_default())
    .fetch_optional(tx.conn())
    .await?;
    match clash {
        Some((name, unit)) => Err(Error::validation(format!(
            "工号 {staff_no} 已属于{unit}在任信息专员 {name}；如需调往其他单位，请先为其办理卸任，再新增任期"
        ))),
        None => Ok(()),
    }
}

async fn set_status(
    store: &Store,
    actor: &Actor,
    id: &str,
    status: OfficerStatus,
    retired_on: Option<String>,
    reason: &str,
) -> Result<()> {
    let mut tx = store.begin_write(actor).await?;
    tx.set_reason(reason);
    let row: Option<(Option<String>, String)> =
        sqlx::query_as("SELECT user_id, staff_no FROM officers WHERE id = ? AND deleted = 0")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    let (user_id, staff_no) = row.ok_or_else(|| Error::NotFound(format!("信息专员 {id}")))?;
    if status == OfficerStatus::Active {
        // Reinstating a term while the same person serves a newer one elsewhere would make two.
        require_staff_no_free(&mut tx, &staff_no, Some(id)).await?;
    }
    tx.update(Table::Officers, id, json!({"status": status.as_str(), "retired_on": retired_on})).await?;
    if let Some(user_id) = user_id {
        tx.update(Table::Users, &user_id, json!({"active": status == OfficerStatus::Active})).await?;
    }
    tx.commit().await
}

pub async fn add_training(store: &Store, actor: &Actor, input: TrainingInput) -> Result<Training> {
    actor.require("trainings", zongwu_proto::rules::Action::Create, "登记培训记录")?;
    let date = parse_date(&input.date).map_err(Error::Validation)?.to_string();
    let topic = crate::fields::normalise_text(&input.topic);
    if topic.is_empty() {
        return Err(Error::validation("培训主题不能为空"));
    }
    if let Some(h) = input.hours {
        if !(0.0..=1000.0).contains(&h) {
            return Err(Error::validation("学时应在 0 到 1000 之间"));
        }
    }
    let mut tx = store.begin_write(actor).await?;
    let unit_id: Option<String> = sqlx::query_scalar("SELECT unit_id FROM officers WHERE id = ? AND deleted = 0")
        .bind(&input.officer_id)
        .fetch_optional(tx.conn())
        .await?;
    let unit_id = unit_id.ok_or_else(|| Error::NotFound(format!("信息专员 {}", input.officer_id)))?;
    let id = new_id();
    tx.insert(
        Table::Trainings,
        &id,
        Some(&unit_id),
        json!({"officer_id": input.officer_id, "date": date, "topic": topic, "attended": input.attended, "hours": input.hours}),
    )
    .await?;
    tx.commit().await?;
    Ok(Training { id, officer_id: input.officer_id, date, topic, attended: input.attended, hours: input.hours })
}

pub async fn delete_training(store: &Store, actor: &Actor, id: &str) -> Result<()> {
    actor.require("trainings", zongwu_proto::rules::Action::Delete, "删除培训记录")?;
    let mut tx = store.begin_write(actor).await?;
    tx.delete(Table::Trainings, id).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> OfficerInput {
        OfficerInput {
            id: None,
            unit_id: "u".into(),
            staff_no: "T001".into(),
            name: "张三".into(),
            gender: None,
            title: None,
            phone: Some("0516-83885000".into()),
            email: None,
            term_start: None,
            term_end: None,
            duties: None,
            note: None,
        }
    }

    #[test]
    fn validate_names_every_bad_field_in_the_windows_spelling() {
        assert_eq!(validate(&input()), Vec::new(), "a landline is a phone number");
        let bad = OfficerInput {
            staff_no: " ".into(),
            phone: Some("1380013800".into()),
            term_start: Some("2020-01-01".into()),
            term_end: Some("2019-01-01".into()),
            ..input()
        };
        let errors = validate(&bad);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["staffNo", "phone", "termEnd"]);
        let first = ValidOfficer::parse(&bad).unwrap_err();
        assert_eq!((first.0, first.1.as_str()), ("staff_no", errors[0].message.as_str()), "parse reports the first of them");
    }
}
