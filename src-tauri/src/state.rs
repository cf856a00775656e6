//! What the window keeps between commands: the core's [`Desktop`] (the open store, who is
//! acting, restore, join and the background sync, shared with the CLI) and where workbooks go.
//! Everything else is Tauri glue in `lib.rs` and `commands.rs`.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zongwu_core::desktop::{Desktop, OpenOptions};
use zongwu_core::{Result, SystemClock};

pub struct AppState {
    desktop: Desktop,
    pub export_dir: PathBuf,
}

impl AppState {
    /// Open the window's desktop on `data_dir`: a brand-new database gets demo data unless
    /// `ZONGWU_NO_DEMO` is set.
    pub async fn open(data_dir: PathBuf, export_dir: PathBuf) -> Result<AppState> {
        let options =
            OpenOptions { demo: std::env::var_os("ZONGWU_NO_DEMO").is_none(), background_sync: true, ..Default::default() };
        Ok(AppState { desktop: Desktop::open(data_dir, Arc::new(SystemClock), options).await?, export_dir })
    }
}

impl Deref for AppState {
    type Target = Desktop;
    fn deref(&self) -> &Desktop {
        &self.desktop
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
