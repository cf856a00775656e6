//! The one door to the backend. Only this folder imports `@tauri-apps/*`;
//! views and stores call the typed functions below, which unwrap the
//! tauri-specta `Result` and throw `ApiError` on failure.
import { Channel } from '@tauri-apps/api/core'
import { commands } from './bindings'
import type { ImportProgress } from './bindings'
import type {
  Actor,
  BackupInfo,
  ExportResult,
  FieldError,
  HistoryEntry,
  ImportReport,
  Need,
  NeedDetail,
  NeedInput,
  NeedRow,
  Officer,
  OfficerDetail,
  OfficerInput,
  OfficerRow,
  RosterColumn,
  Review,
  ReviewInput,
  Session,
  Training,
  TrainingInput,
  Unit,
  UnitInput,
  SyncStatus,
  ServerAccount,
  JoinChoice,
  LoginOutcome,
  ServerUser,
  NewServerUser,
  ServerUserEdit,
  ServerDevice,
} from './bindings'
import { unwrap } from './errors'

export { ApiError, unwrap } from './errors'
export type { ErrorCode } from './errors'
// Every generated type, under its own name (one list, kept by the generator).
export type * from './bindings'

// Derived names, so a rename of an alias in the generated file does not ripple.
export type Role = Actor['role']
export type UnitKind = Unit['kind']
export type OfficerStatus = OfficerRow['status']
export type NeedStatus = NeedRow['status']
export type NeedKind = NeedRow['kind']
export type NeedPriority = NeedRow['priority']
export type Transition = NeedDetail['transitions'][number]
export type Attachment = Need['attachments'][number]
export type RowError = ImportReport['errors'][number]
export type FieldChange = HistoryEntry['fields'][number]
export type SyncState = SyncStatus['state']

export const api = {
  /** Tells the shell the first screen is on show (the startup benchmark waits for it). */
  appReady: async (): Promise<void> => {
    await commands.appReady()
  },
  sessionGet: async (): Promise<Session> => unwrap(await commands.sessionGet()),
  /** Act as another local user; the answer is the new session (actor and capabilities). */
  sessionSwitch: async (userId: string): Promise<Session> => unwrap(await commands.sessionSwitch(userId)),

  unitsList: async (): Promise<Unit[]> => unwrap(await commands.unitsList()),
  unitSave: async (input: UnitInput): Promise<Unit> => unwrap(await commands.unitSave(input)),

  officersList: async (): Promise<OfficerRow[]> => unwrap(await commands.officersList()),
  officerGet: async (id: string): Promise<OfficerDetail> => unwrap(await commands.officerGet(id)),
  /** The core's field errors for `input` (the same checks a save makes); empty when it would be accepted. */
  officerValidate: async (input: OfficerInput): Promise<FieldError[]> => commands.officerValidate(input),
  officerSave: async (input: OfficerInput): Promise<Officer> => unwrap(await commands.officerSave(input)),
  officerRetire: async (id: string, date: string, reason: string): Promise<void> => {
    unwrap(await commands.officerRetire(id, date, reason))
  },
  officerReinstate: async (id: string): Promise<void> => {
    unwrap(await commands.officerReinstate(id))
  },
  trainingAdd: async (input: TrainingInput): Promise<Training> => unwrap(await commands.trainingAdd(input)),
  trainingDelete: async (id: string): Promise<void> => {
    unwrap(await commands.trainingDelete(id))
  },

  needsList: async (): Promise<NeedRow[]> => unwrap(await commands.needsList()),
  needGet: async (id: string): Promise<NeedDetail> => unwrap(await commands.needGet(id)),
  needSubmit: async (input: NeedInput): Promise<Need> => unwrap(await commands.needSubmit(input)),
  needReview: async (input: ReviewInput): Promise<Review> => unwrap(await commands.needReview(input)),
  needTransition: async (id: string, to: NeedStatus, comment: string): Promise<Need> =>
    unwrap(await commands.needTransition(id, to, comment)),

  historyGet: async (table: string, id: string): Promise<HistoryEntry[]> =>
    unwrap(await commands.historyGet(table, id)),

  exportOfficers: async (columns: RosterColumn[]): Promise<ExportResult> => unwrap(await commands.exportOfficers(columns)),
  exportNeeds: async (): Promise<ExportResult> => unwrap(await commands.exportNeeds()),
  exportOfficerTemplate: async (): Promise<ExportResult> => unwrap(await commands.exportOfficerTemplate()),
  importOfficers: async (path: string, onProgress?: (p: ImportProgress) => void): Promise<ImportReport> => {
    const channel = new Channel<ImportProgress>()
    if (onProgress) channel.onmessage = onProgress
    return unwrap(await commands.importOfficers(path, channel))
  },
  importReportExport: async (report: ImportReport): Promise<ExportResult> =>
    unwrap(await commands.importReportExport(report)),

  backupList: async (): Promise<BackupInfo[]> => unwrap(await commands.backupList()),
  backupNow: async (): Promise<BackupInfo> => unwrap(await commands.backupNow()),
  backupRestore: async (path: string): Promise<void> => {
    unwrap(await commands.backupRestore(path))
  },

  syncStatus: async (): Promise<SyncStatus> => unwrap(await commands.syncStatus()),
  syncNow: async (): Promise<void> => {
    unwrap(await commands.syncNow())
  },
  syncLogin: async (serverUrl: string, login: string, password: string): Promise<LoginOutcome> =>
    unwrap(await commands.syncLogin(serverUrl, login, password)),
  syncJoin: async (choice: JoinChoice): Promise<ServerAccount> => unwrap(await commands.syncJoin(choice)),
  syncLogout: async (): Promise<void> => {
    unwrap(await commands.syncLogout())
  },

  adminUsersList: async (): Promise<ServerUser[]> => unwrap(await commands.adminUsersList()),
  adminUserCreate: async (input: NewServerUser): Promise<ServerUser> => unwrap(await commands.adminUserCreate(input)),
  adminUserUpdate: async (id: string, edit: ServerUserEdit): Promise<ServerUser> =>
    unwrap(await commands.adminUserUpdate(id, edit)),
  adminDevicesList: async (): Promise<ServerDevice[]> => unwrap(await commands.adminDevicesList()),
  adminDeviceRevoke: async (deviceId: string): Promise<void> => {
    unwrap(await commands.adminDeviceRevoke(deviceId))
  },
}

export type Api = typeof api

/** True inside the Tauri webview; false in a plain browser (dev preview, tests). */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window
}

/** Native file picker for a roster workbook; `null` when cancelled. */
export async function pickImportFile(title: string): Promise<string | null> {
  const { open } = await import('@tauri-apps/plugin-dialog')
  const picked = await open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: 'Excel / CSV', extensions: ['xlsx', 'xls', 'csv'] }],
  })
  return typeof picked === 'string' ? picked : null
}

/**
 * Calls `handler` whenever the backend reports that data changed (a sync
 * landed, another window wrote). Event name `data_changed` is a convention
 * the shell may emit; if it never does, nothing happens.
 */
export async function onDataChanged(handler: () => void): Promise<() => void> {
  if (!inTauri()) return () => {}
  const { listen } = await import('@tauri-apps/api/event')
  return listen('data_changed', () => handler())
}

/** Calls `handler` with every sync status the backend publishes (`sync_status` events). */
export async function onSyncStatus(handler: (s: SyncStatus) => void): Promise<() => void> {
  const { listen } = await import('@tauri-apps/api/event')
  return listen<SyncStatus>('sync_status', (e) => handler(e.payload))
}

/**
 * Outside Tauri (vite dev/preview in a browser) installs an in-memory fake
 * backend so the UI can be clicked through. Never runs inside the app.
 */
export async function installBrowserMockIfNeeded(): Promise<void> {
  if (inTauri()) return
  const { installMock } = await import('./mock')
  installMock()
}
