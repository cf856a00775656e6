//! What the window keeps between commands: where the data lives, the open store, and who is
//! acting. The store sits behind a lock only so a restore can swap it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};
use zongwu_core::{Actor, Result, Store, SystemClock};

pub struct AppState {
    pub data_dir: PathBuf,
    pub export_dir: PathBuf,
    store: RwLock<Arc<Store>>,
    actor: Mutex<Actor>,
}

impl AppState {
    pub fn new(data_dir: PathBuf, export_dir: PathBuf, store: Store) -> Self {
        AppState { data_dir, export_dir, store: RwLock::new(Arc::new(store)), actor: Mutex::new(Actor::local_admin()) }
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
        result.map(|_| ())
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

/// Open the store, make sure the built-in users exist, and fill a brand-new database with demo
/// data unless `ZONGWU_NO_DEMO` is set.
pub async fn open_store(data_dir: &Path) -> Result<Store> {
    let path = db_path(data_dir);
    let is_new = !path.exists();
    let store = Store::open(&path, Arc::new(SystemClock)).await?;
    zongwu_core::users::ensure_builtin(&store).await?;
    if is_new && std::env::var_os("ZONGWU_NO_DEMO").is_none() {
        zongwu_core::demo::generate(&store, &zongwu_core::demo::DemoSize::default()).await?;
    }
    Ok(store)
}
