//! The admin's user and device management on the server (`/api/v1/users`, `/api/v1/devices`).
//! Server accounts are not synced rows: these calls go to the server directly and need a
//! connection; the server checks that the caller is an admin.

use super::{decode, Result, SyncClient};
use crate::{dto, Role};
use serde_json::json;

dto! {
    /// A server account as the admin screen shows it.
    pub struct ServerUser {
        pub id: String,
        pub login: String,
        pub name: String,
        pub role: Role,
        pub unit_id: Option<String>,
        pub active: bool,
    }
}

dto! {
    pub struct NewServerUser {
        pub login: String,
        pub password: String,
        pub name: String,
        pub role: Role,
        pub unit_id: Option<String>,
    }
}

dto! {
    /// An edit of a user: every field is set as given; `password` only when not `None`.
    pub struct ServerUserEdit {
        pub name: String,
        pub role: Role,
        pub unit_id: Option<String>,
        pub active: bool,
        pub password: Option<String>,
    }
}

dto! {
    /// A desktop install registered to a user.
    pub struct ServerDevice {
        pub device_id: String,
        pub user_id: String,
        pub login: String,
        pub registered_at_ms: i64,
        pub last_device_seq: Option<i64>,
    }
}

/// The server's wire shapes are snake_case; the DTOs above are camelCase for the window.
#[derive(serde::Deserialize)]
struct WireUser {
    id: String,
    login: String,
    name: String,
    role: String,
    unit_id: Option<String>,
    active: bool,
}

impl From<WireUser> for ServerUser {
    fn from(u: WireUser) -> Self {
        ServerUser {
            role: Role::parse(&u.role).unwrap_or(Role::Officer),
            id: u.id,
            login: u.login,
            name: u.name,
            unit_id: u.unit_id,
            active: u.active,
        }
    }
}

#[derive(serde::Deserialize)]
struct WireDevice {
    device_id: String,
    user_id: String,
    login: String,
    registered_at_ms: i64,
    last_device_seq: Option<i64>,
}

impl SyncClient {
    pub async fn list_users(&self) -> Result<Vec<ServerUser>> {
        let resp = self.http.get(self.url("/api/v1/users")).bearer_auth(&self.token).send().await?;
        Ok(decode::<Vec<WireUser>>(resp).await?.into_iter().map(ServerUser::from).collect())
    }

    pub async fn create_user(&self, user: &NewServerUser) -> Result<ServerUser> {
        let body = json!({
            "login": user.login.trim(), "password": user.password, "name": user.name.trim(),
            "role": user.role.as_str(), "unit_id": user.unit_id,
        });
        let resp = self.http.post(self.url("/api/v1/users")).bearer_auth(&self.token).json(&body).send().await?;
        Ok(decode::<WireUser>(resp).await?.into())
    }

    pub async fn update_user(&self, id: &str, edit: &ServerUserEdit) -> Result<ServerUser> {
        let mut body = json!({
            "name": edit.name.trim(), "role": edit.role.as_str(), "unit_id": edit.unit_id, "active": edit.active,
        });
        if let Some(password) = edit.password.as_deref().filter(|p| !p.is_empty()) {
            body["password"] = json!(password);
        }
        let resp = self.http.patch(self.url(&format!("/api/v1/users/{id}"))).bearer_auth(&self.token).json(&body).send().await?;
        Ok(decode::<WireUser>(resp).await?.into())
    }

    pub async fn list_devices(&self) -> Result<Vec<ServerDevice>> {
        let resp = self.http.get(self.url("/api/v1/devices")).bearer_auth(&self.token).send().await?;
        Ok(decode::<Vec<WireDevice>>(resp)
            .await?
            .into_iter()
            .map(|d| ServerDevice {
                device_id: d.device_id,
                user_id: d.user_id,
                login: d.login,
                registered_at_ms: d.registered_at_ms,
                last_device_seq: d.last_device_seq,
            })
            .collect())
    }

    /// Unregister a device: its tokens stop working; the next login with it owns it.
    pub async fn revoke_device(&self, device_id: &str) -> Result<()> {
        let resp = self.http.delete(self.url(&format!("/api/v1/devices/{device_id}"))).bearer_auth(&self.token).send().await?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        decode::<serde_json::Value>(resp).await.map(|_| ())
    }

    /// Revoke this client's token on the server (logout).
    pub async fn logout(&self) -> Result<()> {
        let resp = self.http.post(self.url("/api/v1/auth/logout")).bearer_auth(&self.token).send().await?;
        if resp.status().is_success() {
            return Ok(());
        }
        decode::<serde_json::Value>(resp).await.map(|_| ())
    }
}
