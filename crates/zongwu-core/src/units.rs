//! Secondary units (二级单位): service units, colleges and offices. A unit's id is also its sync
//! scope key, so a unit row carries its own id as `unit_id`.

use crate::store::{new_id, Table};
use crate::{dto, enum_dto, Actor, Error, Result, Store};
use serde_json::json;
use sqlx::SqliteExecutor;

enum_dto! {
    #[derive(Copy, Eq)]
    pub enum UnitKind {
        ServiceUnit,
        College,
        Office,
    }
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::ServiceUnit => "service_unit",
            UnitKind::College => "college",
            UnitKind::Office => "office",
        }
    }
    pub fn parse(s: &str) -> Option<UnitKind> {
        Some(match s {
            "service_unit" => UnitKind::ServiceUnit,
            "college" => UnitKind::College,
            "office" => UnitKind::Office,
            _ => return None,
        })
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::ServiceUnit => "服务单位",
            UnitKind::College => "学院",
            UnitKind::Office => "机关部门",
        }
    }
}

dto! {
    pub struct Unit {
        pub id: String,
        pub code: String,
        pub name: String,
        pub kind: UnitKind,
        pub active: bool,
    }
}

dto! {
    pub struct UnitInput {
        pub id: Option<String>,
        pub code: String,
        pub name: String,
        pub kind: UnitKind,
        pub active: bool,
    }
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: String,
    code: String,
    name: String,
    kind: String,
    active: i64,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            id: r.id,
            code: r.code,
            name: r.name,
            kind: UnitKind::parse(&r.kind).unwrap_or(UnitKind::Office),
            active: r.active != 0,
        }
    }
}

pub async fn list(store: &Store) -> Result<Vec<Unit>> {
    list_with(store.pool()).await
}

pub(crate) async fn list_with<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Unit>> {
    let rows: Vec<UnitRow> =
        sqlx::query_as("SELECT id, code, name, kind, active FROM units WHERE deleted = 0 ORDER BY code").fetch_all(db).await?;
    Ok(rows.into_iter().map(Unit::from).collect())
}

pub async fn get(store: &Store, id: &str) -> Result<Unit> {
    let row: Option<UnitRow> = sqlx::query_as("SELECT id, code, name, kind, active FROM units WHERE id = ? AND deleted = 0")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.map(Unit::from).ok_or_else(|| Error::NotFound(format!("单位 {id}")))
}

/// Create or edit a unit. Codes are unique among live units.
pub async fn save(store: &Store, actor: &Actor, input: UnitInput) -> Result<Unit> {
    actor.require("units", zongwu_proto::rules::Action::Update, "维护二级单位")?;
    let code = input.code.trim().to_string();
    let name = input.name.trim().to_string();
    if code.is_empty() || name.is_empty() {
        return Err(Error::validation("单位代码和名称不能为空"));
    }
    let mut tx = store.begin_write(actor).await?;
    let clash: Option<String> = sqlx::query_scalar("SELECT id FROM units WHERE code = ? AND deleted = 0 AND id != ?")
        .bind(&code)
        .bind(input.id.clone().unwrap_or_default())
        .fetch_optional(tx.conn())
        .await?;
    if clash.is_some() {
        return Err(Error::validation(format!("单位代码 {code} 已被使用")));
    }
    let cols = json!({"code": code, "name": name, "kind": input.kind.as_str(), "active": input.active});
    let id = match input.id {
        Some(id) => {
            tx.update(Table::Units, &id, cols).await?;
            id
        }
        None => {
            let id = new_id();
            tx.insert(Table::Units, &id, Some(&id), cols).await?;
            id
        }
    };
    tx.commit().await?;
    get(store, &id).await
}
