//! The window's commands: each takes the state, calls one core function, and returns.

use crate::error::CmdResult;
use crate::state::AppState;
use serde::Serialize;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;
use zongwu_core::backup::BackupInfo;
use zongwu_core::excel::{self, ExportResult};
use zongwu_core::history::{self, HistoryEntry};
use zongwu_core::import::{self, ImportProgress, ImportReport};
use zongwu_core::needs::{self, Need, NeedDetail, NeedInput, NeedRow, NeedStatus, Review, ReviewInput};
use zongwu_core::officers::{self, FieldError, Officer, OfficerDetail, OfficerInput, OfficerRow, Training, TrainingInput};
use zongwu_core::sync::account::{JoinChoice, JoinPlan, ServerAccount};
use zongwu_core::sync::admin::{NewServerUser, ServerDevice, ServerUser, ServerUserEdit};
use zongwu_core::sync::runner::SyncStatus;
use zongwu_core::units::{self, Unit, UnitInput};
use zongwu_core::users::{self, UserSummary};
use zongwu_core::{Actor, Capabilities};

#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub actor: Actor,
    /// What the actor may do, from the core's rule table (the window restates no rule).
    pub capabilities: Capabilities,
    pub users: Vec<UserSummary>,
    pub data_dir: String,
    pub export_dir: String,
    pub device_id: String,
    /// The server account, when logged in.
    pub account: Option<ServerAccount>,
}

/// The UI calls this once its first screen is on show; the startup benchmark waits for the line.
#[tauri::command]
#[specta::specta]
pub fn app_ready() {
    if std::env::var_os("ZONGWU_REPORT_READY").is_some() {
        println!("ZONGWU_READY {}", crate::started().elapsed().as_millis());
    }
}

#[tauri::command]
#[specta::specta]
pub async fn session_get(state: State<'_, AppState>) -> CmdResult<Session> {
    session(&state).await
}

async fn session(state: &AppState) -> CmdResult<Session> {
    let store = state.store().await;
    let actor = state.actor().await;
    Ok(Session {
        capabilities: Capabilities::of(&actor),
        actor,
        users: users::list(&store).await?,
        data_dir: state.data_dir().display().to_string(),
        export_dir: state.export_dir.display().to_string(),
        device_id: store.device_id().to_string(),
        account: state.account().await?,
    })
}

/// Act as another local user; the answer is the new session (actor and what they may do).
#[tauri::command]
#[specta::specta]
pub async fn session_switch(state: State<'_, AppState>, user_id: String) -> CmdResult<Session> {
    state.switch_local(&user_id).await?;
    session(&state).await
}

#[tauri::command]
#[specta::specta]
pub async fn units_list(state: State<'_, AppState>) -> CmdResult<Vec<Unit>> {
    Ok(units::list(&*state.store().await).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn unit_save(state: State<'_, AppState>, input: UnitInput) -> CmdResult<Unit> {
    let done = units::save(&*state.store().await, &state.actor().await, input).await?;
    state.edited().await;
    Ok(done)
}

#[tauri::command]
#[specta::specta]
pub async fn officers_list(state: State<'_, AppState>) -> CmdResult<Vec<OfficerRow>> {
    Ok(officers::list(&*state.store().await, &state.actor().await).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn officer_get(state: State<'_, AppState>, id: String) -> CmdResult<OfficerDetail> {
    Ok(officers::get(&*state.store().await, &state.actor().await, &id).await?)
}

/// The field errors the core would refuse `input` with (empty: it would be accepted).
#[tauri::command]
#[specta::specta]
pub fn officer_validate(input: OfficerInput) -> Vec<FieldError> {
    officers::validate(&input)
}

#[tauri::command]
#[specta::specta]
pub async fn officer_save(state: State<'_, AppState>, input: OfficerInput) -> CmdResult<Officer> {
    let done = officers::save(&*state.store().await, &state.actor().await, input).await?;
    state.edited().await;
    Ok(done)
}

#[tauri::command]
#[specta::specta]
pub async fn officer_retire(state: State<'_, AppState>, id: String, date: String, reason: String) -> CmdResult<()> {
    officers::retire(&*state.store().await, &state.actor().await, &id, &date, &reason).await?;
    state.edited().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn officer_reinstate(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    officers::reinstate(&*state.store().await, &state.actor().await, &id).await?;
    state.edited().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn training_add(state: State<'_, AppState>, input: TrainingInput) -> CmdResult<Training> {
    let done = officers::add_training(&*state.store().await, &state.actor().await, input).await?;
    state.edited().await;
    Ok(done)
}

#[tauri::command]
#[specta::specta]
pub async fn training_delete(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    officers::delete_training(&*state.store().await, &state.actor().await, &id).await?;
    state.edited().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn needs_list(state: State<'_, AppState>) -> CmdResult<Vec<NeedRow>> {
    Ok(needs::list(&*state.store().await, &state.actor().await).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn need_get(state: State<'_, AppState>, id: String) -> CmdResult<NeedDetail> {
    Ok(needs::get(&*state.store().await, &state.actor().await, &id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn need_submit(state: State<'_, AppState>, input: NeedInput) -> CmdResult<Need> {
    let done = needs::submit(&*state.store().await, &state.actor().await, input).await?;
    state.edited().await;
    Ok(done)
}

#[tauri::command]
#[specta::specta]
pub async fn need_review(state: State<'_, AppState>, input: ReviewInput) -> CmdResult<Review> {
    let done = needs::review(&*state.store().await, &state.actor().await, input).await?;
    state.edited().await;
    Ok(done)
}

#[tauri::command]
#[specta::specta]
pub async fn need_transition(state: State<'_, AppState>, id: String, to: NeedStatus, comment: String) -> CmdResult<Need> {
    let done = needs::transition(&*state.store().await, &state.actor().await, &id, to, &comment).await?;
    state.edited().await;
    Ok(done)
}

#[tauri::command]
#[specta::specta]
pub async fn history_get(state: State<'_, AppState>, table: String, id: String) -> CmdResult<Vec<HistoryEntry>> {
    Ok(history::for_row(&*state.store().await, &state.actor().await, &table, &id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn export_officers(state: State<'_, AppState>, columns: Vec<excel::RosterColumn>) -> CmdResult<ExportResult> {
    let out = excel::timestamped_path(&state.export_dir, "信息专员名册", &*state.store().await);
    Ok(excel::export_officers(&*state.store().await, &state.actor().await, &out, &columns).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn export_needs(state: State<'_, AppState>) -> CmdResult<ExportResult> {
    let out = excel::timestamped_path(&state.export_dir, "需求清单", &*state.store().await);
    Ok(excel::export_needs(&*state.store().await, &state.actor().await, &out).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn export_officer_template(state: State<'_, AppState>) -> CmdResult<ExportResult> {
    let out = excel::timestamped_path(&state.export_dir, "信息专员导入模板", &*state.store().await);
    Ok(excel::export_officer_template(&*state.store().await, &out).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn import_officers(
    state: State<'_, AppState>,
    path: String,
    on_progress: Channel<ImportProgress>,
) -> CmdResult<ImportReport> {
    let progress = move |p: ImportProgress| {
        // A closed window just stops listening; the import goes on.
        let _ = on_progress.send(p);
    };
    let store = state.store().await;
    let report = import::officers_report_with_progress(&store, &state.actor().await, &PathBuf::from(path), &progress).await?;
    state.edited().await;
    Ok(report)
}

#[tauri::command]
#[specta::specta]
pub async fn import_report_export(state: State<'_, AppState>, report: ImportReport) -> CmdResult<ExportResult> {
    let out = excel::timestamped_path(&state.export_dir, "导入错误报告", &*state.store().await);
    Ok(excel::export_import_report(&report, &out)?)
}

#[tauri::command]
#[specta::specta]
pub async fn backup_list(state: State<'_, AppState>) -> CmdResult<Vec<BackupInfo>> {
    Ok(state.backups().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn backup_now(state: State<'_, AppState>) -> CmdResult<BackupInfo> {
    Ok(state.backup_now(None).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn backup_restore(state: State<'_, AppState>, path: String) -> CmdResult<()> {
    state.restore(&PathBuf::from(path)).await?;
    Ok(())
}

// --- Sync: login, join, status; the admin's users and devices on the server ----------------

#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LoginOutcome {
    pub account: ServerAccount,
    /// What joining would send; `account.joined` is already true when there was nothing.
    pub plan: JoinPlan,
}

#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    Ok(state.sync_status())
}

#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> CmdResult<()> {
    state.sync_now().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn sync_login(
    state: State<'_, AppState>,
    server_url: String,
    login: String,
    password: String,
) -> CmdResult<LoginOutcome> {
    let (account, plan) = state.login(&server_url, &login, &password).await?;
    Ok(LoginOutcome { account, plan })
}

#[tauri::command]
#[specta::specta]
pub async fn sync_join(state: State<'_, AppState>, choice: JoinChoice) -> CmdResult<ServerAccount> {
    Ok(state.join(choice).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_logout(state: State<'_, AppState>) -> CmdResult<()> {
    Ok(state.logout().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn admin_users_list(state: State<'_, AppState>) -> CmdResult<Vec<ServerUser>> {
    Ok(state.client().await?.list_users().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn admin_user_create(state: State<'_, AppState>, input: NewServerUser) -> CmdResult<ServerUser> {
    Ok(state.client().await?.create_user(&input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn admin_user_update(state: State<'_, AppState>, id: String, edit: ServerUserEdit) -> CmdResult<ServerUser> {
    Ok(state.client().await?.update_user(&id, &edit).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn admin_devices_list(state: State<'_, AppState>) -> CmdResult<Vec<ServerDevice>> {
    Ok(state.client().await?.list_devices().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn admin_device_revoke(state: State<'_, AppState>, device_id: String) -> CmdResult<()> {
    Ok(state.client().await?.revoke_device(&device_id).await?)
}
