//! The desktop's lifecycle, one definition for the window and the CLI: where the database lives
//! and how it is opened (migrations, built-in users, demo data on a new one), who is acting,
//! restoring a backup (close, swap the file, reopen), the join's download-only swap, and the
//! background sync.
//!
//! - **Opening** ([`Desktop::open`]): `<data dir>/zongwu.db`, migrated by [`Store::open`]. Until
//!   the database joined a server the built-in local users are written (idempotent). A brand-new
//!   database gets demo data when [`OpenOptions::demo`] says so (the window, unless
//!   `ZONGWU_NO_DEMO`; never the CLI), and what it starts with is marked as set-up data, so a
//!   join does not offer it as work ([`account::mark_setup`]).
//! - **Who acts** ([`Desktop::actor`]): the joined server account's user, else the chosen local
//!   user ([`Desktop::switch_local`]; the local admin at first, after a restore and a logout).
//!   Once joined, switching the local user is refused.
//! - **Restore** ([`Desktop::restore`]): the acting user must be staff (checked in
//!   [`backup::restore`]); sync stops, the store is closed, the file swapped, and whatever is at
//!   the path is reopened (the restored file, or the untouched original on failure).
//! - **Join** ([`Desktop::login`], [`Desktop::join`]): see [`account`]; a download-only join
//!   swaps the store for an empty one ([`account::start_empty`]) under the write lock.
//!
//! The store sits behind a lock only so a restore or a download-only join can swap it; every
//! other call takes a cheap `Arc` of the current one.

use crate::backup::{self, BackupInfo};
use crate::sync::account::{self, JoinChoice, JoinPlan, ServerAccount};
use crate::sync::runner::{self, RunnerConfig, SyncRunner, SyncStatus};
use crate::sync::{SyncClient, SyncError};
use crate::{users, Actor, Clock, Error, Result, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{watch, Mutex, RwLock};

/// How [`Desktop::open`] treats a brand-new database.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Fill a brand-new database with demo data.
    pub demo: bool,
    /// Run the background sync once joined (the window). Off, [`Desktop::resume_sync`] only
    /// sets who acts: a CLI command never talks to the server.
    pub background_sync: bool,
    /// Timings of the background sync.
    pub runner: RunnerConfig,
}

/// The database file in a data directory.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("zongwu.db")
}

/// One desktop install: its data directory, open store, acting user and background sync.
pub struct Desktop {
    data_dir: PathBuf,
    clock: Arc<dyn Clock>,
    runner_config: RunnerConfig,
    background_sync: bool,
    store: RwLock<Arc<Store>>,
    /// Who acts: the joined account's user, else the chosen local user.
    actor: Mutex<Actor>,
    runner: Mutex<Option<SyncRunner>>,
    /// The runner's status, or signed-out.
    status: watch::Sender<SyncStatus>,
}

/// Open the store at `path`: migrations, the built-in users until joined, and (on a new
/// database) demo data if asked, all marked as set-up data.
async fn open_store(path: &Path, clock: Arc<dyn Clock>, demo: bool) -> Result<Store> {
    let is_new = !path.exists();
    let store = Store::open(path, clock).await?;
    if !account::has_joined(&store).await? {
        users::ensure_builtin(&store).await?;
    }
    if is_new {
        if demo {
            crate::demo::generate(&store, &crate::demo::DemoSize::default()).await?;
        }
        account::mark_setup(&store).await?;
    }
    Ok(store)
}

/// The joined account's user, if any.
async fn joined_actor(store: &Store) -> Result<Option<Actor>> {
    Ok(match account::saved(store).await? {
        Some((account, _)) if account.joined => Some(account.actor()),
        _ => None,
    })
}

impl Desktop {
    /// Open the desktop on the database in `data_dir` (created if missing). Sync does not start
    /// until [`Desktop::resume_sync`].
    pub async fn open(data_dir: impl Into<PathBuf>, clock: Arc<dyn Clock>, options: OpenOptions) -> Result<Desktop> {
        let data_dir = data_dir.into();
        std::fs::create_dir_all(&data_dir)?;
        let store = open_store(&db_path(&data_dir), clock.clone(), options.demo).await?;
        let actor = joined_actor(&store).await?.unwrap_or_else(Actor::local_admin);
        let pending = store.pending_changes().await?;
        let mut status = SyncStatus::signed_out(pending);
        status.refused = runner::refusals(&store).await;
        Ok(Desktop {
            data_dir,
            clock,
            runner_config: options.runner,
            background_sync: options.background_sync,
            store: RwLock::new(Arc::new(store)),
            actor: Mutex::new(actor),
            runner: Mutex::new(None),
            status: watch::channel(status).0,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn backup_dir(&self) -> PathBuf {
        backup::backup_dir(&self.data_dir)
    }

    pub async fn store(&self) -> Arc<Store> {
        self.store.read().await.clone()
    }

    /// Who acts now.
    pub async fn actor(&self) -> Actor {
        self.actor.lock().await.clone()
    }

    /// Act as another local user. Refused once joined: writes are the server user's then.
    pub async fn switch_local(&self, user_id: &str) -> Result<Actor> {
        let store = self.store().await;
        if joined_actor(&store).await?.is_some() {
            return Err(Error::Forbidden("已登录同步服务器，请先退出登录再切换本机用户".into()));
        }
        let actor = users::actor(&store, user_id).await?;
        *self.actor.lock().await = actor.clone();
        Ok(actor)
    }

    // --- Backups ------------------------------------------------------------------------------

    /// The backups in the backups folder, newest first (staff only).
    pub async fn backups(&self) -> Result<Vec<BackupInfo>> {
        backup::list(&self.actor().await, &self.backup_dir())
    }

    /// Back up now into `dir`, else the backups folder (staff only).
    pub async fn backup_now(&self, dir: Option<&Path>) -> Result<BackupInfo> {
        let dir = dir.map_or_else(|| self.backup_dir(), Path::to_path_buf);
        backup::backup_now(&*self.store().await, &self.actor().await, &dir).await
    }

    /// The automatic backup at start: one a day, for staff.
    pub async fn daily_backup(&self) -> Result<Option<BackupInfo>> {
        backup::daily(&*self.store().await, &self.actor().await, &self.backup_dir()).await
    }

    /// Replace the database with the backup `file` and reopen it (staff only). Returns the safety
    /// copy of the replaced database. The acting user falls back to the local admin, since the
    /// restored data may not know the current one, unless the restored database is joined.
    pub async fn restore(&self, file: &Path) -> Result<PathBuf> {
        let actor = self.actor().await;
        actor.require_backup()?;
        self.stop_sync().await;
        let mut guard = self.store.write().await;
        guard.close().await;
        let db_path = guard.path().to_path_buf();
        let result = backup::restore(&actor, &db_path, file, self.clock.now_ms()).await;
        // Reopen whatever is there now: the restored file, or the untouched original on failure.
        let reopened = open_store(&db_path, self.clock.clone(), false).await?;
        *self.actor.lock().await = joined_actor(&reopened).await?.unwrap_or_else(Actor::local_admin);
        *guard = Arc::new(reopened);
        drop(guard);
        self.resume_sync().await?;
        result
    }

    // --- Sync: login, join, the runner ----------------------------------------------------------

    pub fn sync_status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Every status change.
    pub fn subscribe_status(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// A local edit was saved: the runner pushes soon; signed out, the pending count updates.
    pub async fn edited(&self) {
        match self.runner.lock().await.as_ref() {
            Some(runner) => runner.local_edit(),
            None => {
                let pending = self.store().await.pending_changes().await.unwrap_or(0);
                self.status.send_modify(|s| s.pending = pending);
            }
        }
    }

    pub async fn sync_now(&self) {
        if let Some(runner) = self.runner.lock().await.as_ref() {
            runner.sync_now();
        }
    }

    /// At start and after a restore: act as the joined server user and sync, or stay local.
    pub async fn resume_sync(&self) -> Result<()> {
        let store = self.store().await;
        match joined_actor(&store).await? {
            Some(actor) => {
                *self.actor.lock().await = actor;
                self.start_runner().await
            }
            None => {
                self.publish_signed_out(&store).await?;
                Ok(())
            }
        }
    }

    async fn publish_signed_out(&self, store: &Store) -> Result<()> {
        let mut status = SyncStatus::signed_out(store.pending_changes().await?);
        status.refused = runner::refusals(store).await;
        self.status.send_replace(status);
        Ok(())
    }

    async fn start_runner(&self) -> Result<()> {
        self.stop_sync().await;
        if !self.background_sync {
            return Ok(());
        }
        let store = self.store().await;
        let Some((client, _)) = account::client(&store).await.map_err(store_error)? else { return Ok(()) };
        let runner = SyncRunner::start(store, client, self.runner_config.clone());
        let mut rx = runner.subscribe();
        let tx = self.status.clone();
        tx.send_replace(rx.borrow().clone());
        // Forward until the runner stops (its sender drops).
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let s = rx.borrow_and_update().clone();
                tx.send_replace(s);
            }
        });
        *self.runner.lock().await = Some(runner);
        Ok(())
    }

    async fn stop_sync(&self) {
        let runner = self.runner.lock().await.take();
        if let Some(runner) = runner {
            runner.stop().await;
        }
    }

    /// Stop the background sync and close the store (the window or the command is done).
    pub async fn shutdown(&self) {
        self.stop_sync().await;
        self.store().await.close().await;
    }

    /// Log in (the join is a second step when there is local work). Returns the account and
    /// what a join would send; with nothing to send the desktop joins at once.
    pub async fn login(&self, server_url: &str, login: &str, password: &str) -> Result<(ServerAccount, JoinPlan), SyncError> {
        self.stop_sync().await;
        let store = self.store().await;
        let (_, account) = account::login(&store, server_url, login, password).await?;
        let plan = account::join_plan(&store, &account).await?;
        if plan.pending == 0 {
            return Ok((self.join(JoinChoice::Upload).await?, plan));
        }
        Ok((account, plan))
    }

    /// Finish joining with `choice` (see [`account`]).
    pub async fn join(&self, choice: JoinChoice) -> Result<ServerAccount> {
        self.stop_sync().await;
        let store = self.store().await;
        let (account, _) = account::saved(&store).await?.ok_or_else(|| Error::NotFound("服务器账号，请先登录".into()))?;
        let plan = account::join_plan(&store, &account).await?;
        account::check_choice(&plan, choice)?;
        drop(store);
        if choice == JoinChoice::DownloadOnly && plan.pending > 0 {
            let mut guard = self.store.write().await;
            let fresh = match account::start_empty(&guard, &self.backup_dir(), self.clock.clone()).await {
                Ok(fresh) => fresh,
                // Whatever happened, reopen what is at the path so the desktop keeps working.
                Err(e) => {
                    let path = guard.path().to_path_buf();
                    *guard = Arc::new(Store::open(&path, self.clock.clone()).await?);
                    return Err(e);
                }
            };
            *guard = Arc::new(fresh);
        }
        let account = account::mark_joined(&*self.store().await).await?;
        *self.actor.lock().await = account.actor();
        self.start_runner().await?;
        Ok(account)
    }

    /// Log out: stop syncing, revoke the token (best effort, offline is fine), forget it, and
    /// act as the local admin again.
    pub async fn logout(&self) -> Result<()> {
        self.stop_sync().await;
        let store = self.store().await;
        if let Ok(Some((client, _))) = account::client(&store).await {
            if let Err(e) = client.logout().await {
                tracing::info!(error = %e, "logout: the server did not take the token back");
            }
        }
        account::forget(&store).await?;
        *self.actor.lock().await = Actor::local_admin();
        self.publish_signed_out(&store).await
    }

    pub async fn account(&self) -> Result<Option<ServerAccount>> {
        Ok(account::saved(&*self.store().await).await?.map(|(a, _)| a))
    }

    /// A client for the admin's server calls.
    pub async fn client(&self) -> Result<SyncClient> {
        account::client(&*self.store().await)
            .await
            .map_err(store_error)?
            .map(|(c, _)| c)
            .ok_or_else(|| Error::Forbidden("请先登录同步服务器".into()))
    }
}

fn store_error(e: SyncError) -> Error {
    match e {
        SyncError::Store(e) => e,
        other => Error::Internal(other.to_string()),
    }
}
