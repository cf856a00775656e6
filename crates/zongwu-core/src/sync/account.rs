//! This desktop's server account, and the join step that decides which local work goes to the
//! server.
//!
//! - The desktop works without any account (the local profile: `local-admin` and friends). A
//!   login stores the server URL, the user and the *token* in the `meta` table (key
//!   `sync_account`); the password is never stored. From the join on, new writes are attributed
//!   to the server user ([`ServerAccount::actor`]).
//! - Joining with local work: every local change of this device is in its outbox, numbered by a
//!   gap-free `device_seq` that the server insists on receiving in order. So the outbox can be
//!   offered whole or not at all; nothing can be skipped in the middle. [`join_plan`] counts
//!   what is there and the user picks one [`JoinChoice`]:
//!   - **Upload** (上传本机数据): push everything. Refused when the server would refuse it:
//!     an officer's outbox holding rows of other units (or office-wide rows), an expert's
//!     holding anything but reviews — one such change makes the server refuse every push
//!     (403), so the desktop would be stuck with a full outbox forever.
//!   - **DownloadOnly** (仅下载服务器数据): keep a backup of the local database, start an empty
//!     one under the same device id and pull. Possible only while this device never pushed
//!     (otherwise the server already holds some of its numbers and a fresh log would reuse
//!     them). It is the recommended choice when the outbox holds only set-up data (the
//!     built-in users and the automatic demo data, recorded by [`mark_setup`] when the
//!     database was created): demo rows never reach a real server unless asked to.
//! - After a join the desktop never writes set-up rows again ([`has_joined`]): the built-in
//!   local users are office-wide rows that an officer could not push.

use super::{SyncClient, SyncError};
use crate::store::{meta_get, meta_set};
use crate::{dto, enum_dto, Actor, Clock, Error, Result, Role, Store};
use std::path::Path;
use std::sync::Arc;

const ACCOUNT_KEY: &str = "sync_account";
const SETUP_KEY: &str = "setup_through_seq";
const JOINED_KEY: &str = "sync_joined";

dto! {
    /// Who this desktop is logged in as, and where.
    pub struct ServerAccount {
        pub server_url: String,
        pub user_id: String,
        pub login: String,
        pub name: String,
        pub role: Role,
        pub unit_id: Option<String>,
        pub expires_at_ms: i64,
        /// The join step is done: the local profile is replaced by this user and sync runs.
        pub joined: bool,
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    account: ServerAccount,
    token: String,
}

impl ServerAccount {
    /// The identity new writes are attributed to once joined.
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.user_id.clone(), name: self.name.clone(), role: self.role, unit_id: self.unit_id.clone() }
    }
}

/// The saved account and its token, if any.
pub async fn saved(store: &Store) -> Result<Option<(ServerAccount, String)>> {
    Ok(match meta_get(store.pool(), ACCOUNT_KEY).await? {
        Some(json) if !json.is_empty() => {
            let s: Saved = serde_json::from_str(&json)?;
            Some((s.account, s.token))
        }
        _ => None,
    })
}

async fn save(store: &Store, account: &ServerAccount, token: &str) -> Result<()> {
    let json = serde_json::to_string(&Saved { account: account.clone(), token: token.to_string() })?;
    meta_set(store.pool(), ACCOUNT_KEY, &json).await
}

/// Forget the account and its token (logout). The sync cursor stays: logging in again as the
/// same user continues where it stopped.
pub async fn forget(store: &Store) -> Result<()> {
    meta_set(store.pool(), ACCOUNT_KEY, "").await
}

/// A client for the saved account.
pub async fn client(store: &Store) -> Result<Option<(SyncClient, ServerAccount)>, SyncError> {
    Ok(match saved(store).await? {
        Some((account, token)) => Some((SyncClient::new(&account.server_url, &token)?, account)),
        None => None,
    })
}

/// Log in to `server_url` and save the account (not yet joined) with its token.
pub async fn login(
    store: &Store,
    server_url: &str,
    login: &str,
    password: &str,
) -> Result<(SyncClient, ServerAccount), SyncError> {
    let server_url = server_url.trim().trim_end_matches('/');
    if !(server_url.starts_with("http://") || server_url.starts_with("https://")) {
        return Err(Error::validation("服务器地址应以 http:// 或 https:// 开头").into());
    }
    let (client, answer) = SyncClient::login(server_url, store, login.trim(), password).await?;
    let role = answer.user.role;
    let account = ServerAccount {
        server_url: server_url.to_string(),
        user_id: answer.user.id,
        login: answer.user.login,
        name: answer.user.name,
        role,
        unit_id: answer.user.unit_id,
        expires_at_ms: answer.expires_at_ms,
        joined: false,
    };
    save(store, &account, client.token()).await?;
    Ok((client, account))
}

/// Record that every local change so far is set-up data (built-in users, demo data), not
/// somebody's work. Called when a database is created.
pub async fn mark_setup(store: &Store) -> Result<()> {
    let last: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE origin = 'local'").fetch_one(store.pool()).await?;
    meta_set(store.pool(), SETUP_KEY, &last.to_string()).await
}

/// Whether this database ever joined a server.
pub async fn has_joined(store: &Store) -> Result<bool> {
    Ok(meta_get(store.pool(), JOINED_KEY).await?.is_some_and(|v| v == "1"))
}

enum_dto! {
    #[derive(Copy, Eq)]
    pub enum JoinChoice {
        /// 上传本机数据: push the whole outbox.
        Upload,
        /// 仅下载服务器数据: back up, start empty under the same device id, pull.
        DownloadOnly,
    }
}

dto! {
    /// What joining would send, and which choices are open.
    pub struct JoinPlan {
        /// Local changes not yet on any server.
        pub pending: i64,
        /// Of those, the set-up data written when the database was created.
        pub setup_changes: i64,
        /// Of those, changes the server would refuse from this user (another unit's rows).
        pub out_of_scope: i64,
        /// This device pushed to a server before.
        pub ever_pushed: bool,
        pub can_upload: bool,
        pub can_download_only: bool,
        pub recommended: Option<JoinChoice>,
    }
}

/// Count what a join as `account` would send and which choices make sense.
pub async fn join_plan(store: &Store, account: &ServerAccount) -> Result<JoinPlan> {
    let setup_through: i64 = meta_get(store.pool(), SETUP_KEY).await?.and_then(|v| v.parse().ok()).unwrap_or(0);
    let (pending, setup_changes): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(seq <= ?), 0) FROM change_log WHERE origin = 'local' AND pushed = 0")
            .bind(setup_through)
            .fetch_one(store.pool())
            .await?;
    let out_of_scope: i64 = match account.role {
        Role::Admin | Role::Office => 0,
        Role::Expert => {
            sqlx::query_scalar("SELECT COUNT(*) FROM change_log WHERE origin = 'local' AND pushed = 0 AND tbl <> 'need_reviews'")
                .fetch_one(store.pool())
                .await?
        }
        Role::Officer => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM change_log WHERE origin = 'local' AND pushed = 0
                 AND (unit_id IS NULL OR ? IS NULL OR unit_id <> ?)",
            )
            .bind(&account.unit_id)
            .bind(&account.unit_id)
            .fetch_one(store.pool())
            .await?
        }
    };
    let ever_pushed: bool =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM change_log WHERE origin = 'local' AND pushed = 1 LIMIT 1")
            .fetch_one(store.pool())
            .await?
            > 0;
    let can_upload = out_of_scope == 0;
    let can_download_only = !ever_pushed;
    let recommended = if pending == 0 {
        None
    } else if can_download_only && (!can_upload || pending == setup_changes) {
        Some(JoinChoice::DownloadOnly)
    } else if can_upload {
        Some(JoinChoice::Upload)
    } else {
        None
    };
    Ok(JoinPlan { pending, setup_changes, out_of_scope, ever_pushed, can_upload, can_download_only, recommended })
}

/// Mark the saved account joined (sync may run, writes are the server user's).
pub async fn mark_joined(store: &Store) -> Result<ServerAccount> {
    let (mut account, token) = saved(store).await?.ok_or_else(|| Error::NotFound("服务器账号".into()))?;
    account.joined = true;
    save(store, &account, &token).await?;
    meta_set(store.pool(), JOINED_KEY, "1").await?;
    Ok(account)
}

/// Check `choice` against the plan; an impossible choice is a validation error in Chinese.
pub fn check_choice(plan: &JoinPlan, choice: JoinChoice) -> Result<()> {
    match choice {
        JoinChoice::Upload if !plan.can_upload => Err(Error::validation(format!(
            "本机有 {} 条修改超出该账号的权限范围（其他单位的数据），服务器会拒绝；请选择“仅下载服务器数据”",
            plan.out_of_scope
        ))),
        JoinChoice::DownloadOnly if !plan.can_download_only => {
            Err(Error::validation("本机已向服务器上传过数据，不能改为仅下载；请选择“上传本机数据”"))
        }
        _ => Ok(()),
    }
}

/// The DownloadOnly join: back `old` up into `backup_dir`, then replace its database with an
/// empty one that keeps the device id and the saved account, and open that. `old` is closed;
/// the caller must drop every other handle to it.
pub async fn start_empty(old: &Store, backup_dir: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
    let saved_account = meta_get(old.pool(), ACCOUNT_KEY).await?.unwrap_or_default();
    crate::backup::take(old, backup_dir).await?;
    let device_id = old.device_id().to_string();
    let path = old.path().to_path_buf();
    old.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let fresh = Store::open(&path, clock.clone()).await?;
    meta_set(fresh.pool(), "device_id", &device_id).await?;
    meta_set(fresh.pool(), ACCOUNT_KEY, &saved_account).await?;
    fresh.close().await;
    Store::open(&path, clock).await
}
