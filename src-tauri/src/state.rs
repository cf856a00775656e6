//! What the window keeps between commands: where the data lives, the open store, who is
//! acting, and the background sync. The store sits behind a lock only so a restore (or a
//! download-only join) can swap it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{watch, Mutex, RwLock};
use zongwu_core::sync::account::{self, JoinChoice, JoinPlan, ServerAccount};
use zongwu_core::sync::runner::{RunnerConfig, SyncRunner, SyncStatus};
use zongwu_core::sync::{SyncClient, SyncError};
use zongwu_core::{Actor, Result, Store, SystemClock};

pub struct AppState {
    pub data_dir: PathBuf,
    pub export_dir: PathBuf,
    store: RwLock<Arc<Store>>,
    actor: Mutex<Actor>,
    runner: Mutex<Option<SyncRunner>>,
    /// What the window's sync indicator shows: the runner's status, or signed-out.
    status: watch::Sender<SyncStatus>,
}

impl AppState {
    pub fn new(data_dir: PathBuf, export_dir: PathBuf, store: Store) -> Self {
        AppState {
            data_dir,
            export_dir,
            store: RwLock::new(Arc::new(store)),
            actor: Mutex::new(Actor::local_admin()),
            runner: Mutex::new(None),
            status: watch::channel(SyncStatus::signed_out(0)).0,
        }
    }

    pub async fn store(&self) -> Arc<Store> {
        self.store.read().await.clone()
    }

    pub async fn actor(&self) -> Actor {
        self.actor.lock().await.clone()
    }

    pub async fn set_actor(&self, actor: Actor) {
        *self.actor.lock().await = actor;
    }

    /// Replace the database with a backup and reopen it; the acting user falls back to the
    /// local admin since the restored data may not know the current one.
    pub async fn restore(&self, file: &Path) -> Result<()> {
        self.stop_sync().await;
        let mut guard = self.store.write().await;
        guard.close().await;
        let now = guard.now_ms();
        let db_path = guard.path().to_path_buf();
        let result = zongwu_core::backup::restore(&db_path, file, now).await;
        // Reopen whatever is there now: the restored file, or the untouched original on failure.
        let reopened = Store::open(&db_path, Arc::new(SystemClock)).await?;
        zongwu_core::users::ensure_builtin(&reopened).await?;
        *guard = Arc::new(reopened);
        *self.actor.lock().await = Actor::local_admin();
        drop(guard);
        self.resume_sync().await?;
        result.map(|_| ())
    }

    // --- Sync: login, join, the runner -------------------------------------------------------

    pub fn sync_status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Every status change, for the window.
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
        match account::saved(&store).await? {
            Some((account, _)) if account.joined => {
                *self.actor.lock().await = account.actor();
                self.start_runner().await
            }
            _ => {
                let pending = store.pending_changes().await?;
                self.status.send_replace(SyncStatus::signed_out(pending));
                Ok(())
            }
        }
    }

    async fn start_runner(&self) -> Result<()> {
        self.stop_sync().await;
        let store = self.store().await;
        let Some((client, _)) = account::client(&store).await.map_err(store_error)? else { return Ok(()) };
        let runner = SyncRunner::start(store, client, RunnerConfig::default());
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

    /// Finish joining with `choice` (see `zongwu_core::sync::account`).
    pub async fn join(&self, choice: JoinChoice) -> Result<ServerAccount> {
        self.stop_sync().await;
        let store = self.store().await;
        let (account, _) =
            account::saved(&store).await?.ok_or_else(|| zongwu_core::Error::NotFound("服务器账号，请先登录".into()))?;
        let plan = account::join_plan(&store, &account).await?;
        account::check_choice(&plan, choice)?;
        if choice == JoinChoice::DownloadOnly && plan.pending > 0 {
            let mut guard = self.store.write().await;
            let backups = zongwu_core::backup::backup_dir(&self.data_dir);
            let fresh = account::start_empty(&guard, &backups, Arc::new(SystemClock)).await;
            let fresh = match fresh {
                Ok(fresh) => fresh,
                // Whatever happened, reopen what is at the path so the window keeps working.
                Err(e) => {
                    let path = guard.path().to_path_buf();
                    *guard = Arc::new(Store::open(&path, Arc::new(SystemClock)).await?);
                    return Err(e);
                }
            };
            *guard = Arc::new(fresh);
        }
        drop(store);
        let account = account::mark_joined(&*self.store().await).await?;
        *self.actor.lock().await = account.actor();
        self.start_runner().await?;
        Ok(account)
    }

    /// Log out: stop syncing, revoke the token (best effort, offline is fine), forget it, and
    /// act as the local profile again.
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
        self.status.send_replace(SyncStatus::signed_out(store.pending_changes().await?));
        Ok(())
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
            .ok_or_else(|| zongwu_core::Error::Forbidden("请先登录同步服务器".into()))
    }
}

fn store_error(e: SyncError) -> zongwu_core::Error {
    match e {
        SyncError::Store(e) => e,
        other => zongwu_core::Error::Internal(other.to_string()),
    }
}

/// Where the database lives: `--data-dir`, else `ZONGWU_DATA_DIR`, else the OS data directory.
pub fn resolve_data_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("ZONGWU_DATA_DIR").map(PathBuf::from))
        .or_else(|| directories::ProjectDirs::from("cn.edu", "zongwu", "zongwu").map(|d| d.data_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("zongwu-data"))
}

/// Where the window saves workbooks: `ZONGWU_EXPORT_DIR`, else Documents/总务导出, else the data dir.
pub fn resolve_export_dir(data_dir: &Path) -> PathBuf {
    std::env::var_os("ZONGWU_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(|| directories::UserDirs::new().and_then(|u| u.document_dir().map(|d| d.join("总务导出"))))
        .unwrap_or_else(|| data_dir.join("exports"))
}

pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("zongwu.db")
}

/// Open the store, make sure the built-in users exist (until the database joins a server), and
/// fill a brand-new database with demo data unless `ZONGWU_NO_DEMO` is set. What a new database
/// starts with is marked as set-up data, so joining a server does not offer it as work.
pub async fn open_store(data_dir: &Path) -> Result<Store> {
    let path = db_path(data_dir);
    let is_new = !path.exists();
    let store = Store::open(&path, Arc::new(SystemClock)).await?;
    if !account::has_joined(&store).await? {
        zongwu_core::users::ensure_builtin(&store).await?;
    }
    if is_new {
        if std::env::var_os("ZONGWU_NO_DEMO").is_none() {
            zongwu_core::demo::generate(&store, &zongwu_core::demo::DemoSize::default()).await?;
        }
        account::mark_setup(&store).await?;
    }
    Ok(store)
}
