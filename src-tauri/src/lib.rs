//! The zongwu desktop shell: the window (Tauri) and the CLI of the same binary. Both are thin
//! layers over `zongwu-core`; see docs/ARCHITECTURE.md.

pub mod cli;
mod commands;
mod error;
pub mod state;

use state::AppState;
use std::path::PathBuf;

/// When the process started, for the startup figure.
pub fn started() -> std::time::Instant {
    *STARTED.get_or_init(std::time::Instant::now)
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The command list, shared by the window and the bindings generator.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    use commands::*;
    tauri_specta::Builder::<tauri::Wry>::new().commands(tauri_specta::collect_commands![
        app_ready,
        session_get,
        session_switch,
        units_list,
        unit_save,
        officers_list,
        officer_get,
        officer_validate,
        officer_save,
        officer_retire,
        officer_reinstate,
        training_add,
        training_delete,
        needs_list,
        need_get,
        need_submit,
        need_review,
        need_transition,
        history_get,
        export_officers,
        export_needs,
        export_officer_template,
        import_officers,
        import_report_export,
        backup_list,
        backup_now,
        backup_restore,
        sync_status,
        sync_now,
        sync_login,
        sync_join,
        sync_logout,
        admin_users_list,
        admin_user_create,
        admin_user_update,
        admin_devices_list,
        admin_device_revoke,
    ])
}

/// Write the TypeScript bindings for every command and type to `path`.
pub fn export_bindings(path: &std::path::Path) -> anyhow::Result<()> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .bigint(specta_typescript::BigIntExportBehavior::Number)
                .header("// Generated from the Rust commands by `cargo xtask bindings`. Do not edit.\n/* eslint-disable */"),
            path,
        )
        .map_err(|e| anyhow::anyhow!("exporting bindings: {e}"))?;
    // tauri-specta rc.21 also emits `Channel` as a type alias to null, which clashes with its own
    // `import { Channel as TAURI_CHANNEL }`; drop the alias so the file type-checks.
    let text = std::fs::read_to_string(path)?;
    std::fs::write(path, text.replace("export type TAURI_CHANNEL<TSend> = null\n", ""))?;
    Ok(())
}

/// Open the window on the database in `data_dir`.
pub fn run_window(data_dir: PathBuf) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let export_dir = state::resolve_export_dir(&data_dir);
    let app_state = runtime.block_on(AppState::open(data_dir, export_dir))?;
    // Tauri's async commands run on its own runtime; keep ours alive for the store's pool.
    tauri::async_runtime::set(runtime.handle().clone());
    let builder = specta_builder();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(app_state)
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let state: tauri::State<AppState> = tauri::Manager::state(app);
            if let Err(e) = tauri::async_runtime::block_on(state.resume_sync()) {
                tracing::warn!(error = %e, "sync did not start");
            }
            // The sync status goes to the window as `sync_status` events; a round that merged
            // changes from elsewhere also sends `data_changed`, so open views reload.
            let mut status = state.subscribe_status();
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                use tauri::Emitter;
                let mut revision = status.borrow().data_revision;
                while status.changed().await.is_ok() {
                    let s = status.borrow_and_update().clone();
                    let _ = handle.emit("sync_status", &s);
                    if s.data_revision != revision {
                        revision = s.data_revision;
                        let _ = handle.emit("data_changed", ());
                    }
                }
            });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                // A backup at start, then one a day while the window stays open: the core takes
                // at most one per day, so checking every hour is cheap and misses no day.
                let state: tauri::State<AppState> = tauri::Manager::state(&handle);
                loop {
                    if let Err(e) = state.daily_backup().await {
                        tracing::warn!(error = %e, "daily backup failed");
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!())
        .map_err(|e| anyhow::anyhow!("window failed: {e}"))?;
    drop(runtime);
    Ok(())
}
