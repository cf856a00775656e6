//! Daily copies of the database (`VACUUM INTO`, the last [`KEEP`] kept) and restoring one.
//!
//! Backing up, listing and restoring are office staff's ([`Actor::require_backup`], the
//! `backup` capability): every entry point takes the acting user and checks it here, so the
//! window and the CLI refuse an officer or an expert alike.
//!
//! A backup is a complete, consistent SQLite file taken while the app runs. Restoring checks the
//! file is a zongwu database, keeps a safety copy of the current one, and replaces it; the caller
//! must close its [`Store`] first and open a new one afterwards.
//!
//! A restored database is a new device for sync: the server remembers `device_seq` numbers the
//! backup never saw, so reusing them would be refused (409 `seq_reused`) and pushes would stop.
//! [`restore`] therefore gives the install a new `device_id` and renumbers its own log under it,
//! all back in the outbox: the next sync offers every local change again (the server keeps what
//! it lacks and skips the change ids it has), and pulls from the backup's cursor, which brings
//! back what the old device pushed after the backup was taken. The client must log in again,
//! since a token belongs to the device it logged in from.

use crate::{dto, Actor, Error, Result, Store};
use chrono::{TimeZone, Utc};
use std::path::{Path, PathBuf};

/// Daily backups kept; older ones are deleted after each new backup.
pub const KEEP: usize = 14;

dto! {
    pub struct BackupInfo {
        pub path: String,
        pub file_name: String,
        pub size_bytes: i64,
        pub created_ms: i64,
    }
}

pub fn backup_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// Take a backup now into `dir`, named by the store clock's time, then prune to [`KEEP`].
pub async fn backup_now(store: &Store, actor: &Actor, dir: &Path) -> Result<BackupInfo> {
    actor.require_backup()?;
    take(store, dir).await
}

/// The copy itself, unchecked: for [`backup_now`], [`daily`] and the safety copy of a join.
pub(crate) async fn take(store: &Store, dir: &Path) -> Result<BackupInfo> {
    std::fs::create_dir_all(dir)?;
    let now = store.now_ms();
    let stamp = Utc.timestamp_millis_opt(now).single().unwrap_or_default().format("%Y%m%d-%H%M%S%3f");
    let path = dir.join(format!("zongwu-{stamp}.db"));
    let tmp = path.with_extension("db.partial");
    let _ = std::fs::remove_file(&tmp);
    sqlx::query("VACUUM INTO ?").bind(tmp.to_string_lossy().to_string()).execute(store.pool()).await?;
    std::fs::rename(&tmp, &path)?;
    prune(dir)?;
    info(&path)
}

/// Back up unless a backup from the same UTC day already exists. Returns the new backup, if any.
/// The automatic copy is the staff's like any other: for an actor who may not back up, nothing
/// is taken (and nothing is refused: it runs at every start).
pub async fn daily(store: &Store, actor: &Actor, dir: &Path) -> Result<Option<BackupInfo>> {
    if actor.require_backup().is_err() {
        return Ok(None);
    }
    let today = Utc.timestamp_millis_opt(store.now_ms()).single().unwrap_or_default().format("zongwu-%Y%m%d-").to_string();
    if scan(dir)?.iter().any(|b| b.file_name.starts_with(&today)) {
        return Ok(None);
    }
    take(store, dir).await.map(Some)
}

/// Backups in `dir`, newest first.
pub fn list(actor: &Actor, dir: &Path) -> Result<Vec<BackupInfo>> {
    actor.require_backup()?;
    scan(dir)
}

fn scan(dir: &Path) -> Result<Vec<BackupInfo>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("zongwu-") && name.ends_with(".db") {
            out.push(info(&path)?);
        }
    }
    out.sort_by(|a, b| b.file_name.cmp(&a.file_name));
    Ok(out)
}

fn prune(dir: &Path) -> Result<()> {
    // Safety copies taken before a restore are named differently and never pruned here.
    for old in scan(dir)?.into_iter().skip(KEEP) {
        std::fs::remove_file(&old.path)?;
    }
    Ok(())
}

fn info(path: &Path) -> Result<BackupInfo> {
    let meta = std::fs::metadata(path)?;
    let created_ms = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Ok(BackupInfo {
        path: path.to_string_lossy().to_string(),
        file_name: path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string(),
        size_bytes: meta.len() as i64,
        created_ms,
    })
}

/// Check that `file` is a readable zongwu database, without changing it.
pub async fn verify(file: &Path) -> Result<()> {
    if !file.is_file() {
        return Err(Error::NotFound(format!("备份文件 {}", file.display())));
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(file).read_only(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|_| Error::validation(format!("{} 不是有效的数据库文件", file.display())))?;
    let ok: std::result::Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM change_log").fetch_one(&pool).await;
    let integrity: std::result::Result<String, _> = sqlx::query_scalar("PRAGMA quick_check").fetch_one(&pool).await;
    pool.close().await;
    match (ok, integrity) {
        (Ok(_), Ok(s)) if s == "ok" => Ok(()),
        _ => Err(Error::validation(format!("{} 不是 zongwu 的数据库备份，或已损坏", file.display()))),
    }
}

/// Replace the database at `db_path` with `file`. The store on `db_path` must be closed. The
/// current database is first copied to `backups/before-restore-*.db`. The restored database gets
/// a new device id (see the module docs). [`crate::desktop::Desktop::restore`] closes and
/// reopens the desktop's store around this.
pub async fn restore(actor: &Actor, db_path: &Path, file: &Path, now_ms: i64) -> Result<PathBuf> {
    actor.require_backup()?;
    verify(file).await?;
    let dir = backup_dir(db_path.parent().unwrap_or(Path::new(".")));
    std::fs::create_dir_all(&dir)?;
    let stamp = Utc.timestamp_millis_opt(now_ms).single().unwrap_or_default().format("%Y%m%d-%H%M%S");
    let safety = dir.join(format!("before-restore-{stamp}.db"));
    if db_path.exists() {
        // Fold the WAL in first so the safety copy is complete on its own.
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(db_path);
        if let Ok(pool) = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await {
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await;
            pool.close().await;
        }
        std::fs::copy(db_path, &safety)?;
    }
    let staged = db_path.with_extension("db.restoring");
    std::fs::copy(file, &staged)?;
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(db_path.with_extension(ext));
    }
    std::fs::rename(&staged, db_path)?;
    become_new_device(db_path).await?;
    Ok(safety)
}

/// Give the database at `db_path` a new device id and renumber its local changes under it from
/// 1, all unpushed (same change ids, so the server skips those it already has).
async fn become_new_device(db_path: &Path) -> Result<()> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(db_path);
    let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await?;
    let device_id = uuid::Uuid::now_v7().simple().to_string();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE change_log SET device_id = ?, device_seq = r.n, pushed = 0
         FROM (SELECT seq, ROW_NUMBER() OVER (ORDER BY seq) AS n FROM change_log WHERE origin = 'local') AS r
         WHERE change_log.seq = r.seq",
    )
    .bind(&device_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO meta (key, value) VALUES ('device_id', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(&device_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    pool.close().await;
    tracing::info!(device_id, "restored database is a new sync device");
    Ok(())
}
