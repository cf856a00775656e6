//! People who act in the app. Until server login lands (#3) the desktop switches between local
//! users; password hashes never live here.

use crate::store::{new_id, NewRow, Table};
use crate::{dto, Actor, Error, Result, Role, Store};
use serde_json::json;

dto! {
    #[derive(sqlx::FromRow)]
    pub struct UserSummary {
        pub id: String,
        pub name: String,
        pub role: Role,
        pub unit_id: Option<String>,
        pub unit_name: Option<String>,
    }
}

/// Built-in local users present in every database, so a fresh install can act in every role.
pub const LOCAL_ADMIN_ID: &str = "local-admin";
pub const LOCAL_EXPERT_ID: &str = "local-expert";

pub async fn list(store: &Store) -> Result<Vec<UserSummary>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.name, u.role, u.unit_id, un.name AS unit_name FROM users u LEFT JOIN units un ON un.id = u.unit_id
         WHERE u.deleted = 0 AND u.active = 1
         ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'office' THEN 1 WHEN 'expert' THEN 2 ELSE 3 END, u.name",
    )
    .fetch_all(store.pool())
    .await?)
}

/// The acting identity of a local user.
pub async fn actor(store: &Store, user_id: &str) -> Result<Actor> {
    let row: Option<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, role, unit_id FROM users WHERE id = ? AND deleted = 0 AND active = 1")
            .bind(user_id)
            .fetch_optional(store.pool())
            .await?;
    let (user_id, name, role, unit_id) = row.ok_or_else(|| Error::NotFound(format!("用户 {user_id}")))?;
    Ok(Actor { user_id, name, role: Role::parse(&role).unwrap_or(Role::Officer), unit_id })
}

/// Make sure the built-in local admin and expert exist (idempotent; runs at every start).
pub async fn ensure_builtin(store: &Store) -> Result<()> {
    let system = Actor::local_admin();
    let mut tx = store.begin_write(&system).await?;
    for (id, name, role) in [(LOCAL_ADMIN_ID, "本机管理员", Role::Admin), (LOCAL_EXPERT_ID, "专家（本机）", Role::Expert)]
    {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM users WHERE id = ?").bind(id).fetch_optional(tx.conn()).await?;
        if exists.is_none() {
            tx.insert(Table::Users, id, None, json!({"name": name, "role": role.as_str(), "active": true})).await?;
        }
    }
    tx.commit().await
}

/// The row of a new officer-role user, who lets a liaison officer act for their unit.
pub(crate) fn officer_user_row(name: &str, unit_id: &str, phone: Option<&str>) -> NewRow {
    NewRow {
        id: new_id(),
        unit_id: Some(unit_id.to_string()),
        columns: json!({"name": name, "role": "officer", "phone": phone, "active": true}),
    }
}
