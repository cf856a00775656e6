// Generated from the Rust commands by `cargo xtask bindings`. Do not edit.
/* eslint-disable */
// PLACEHOLDER: hand-written in the tauri-specta format (mirroring src-tauri/src/commands.rs and the
// zongwu-core DTOs) until `cargo xtask bindings` overwrites it.

/** user-defined commands **/


export const commands = {
async sessionGet() : Promise<Result<Session, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("session_get") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async sessionSwitch(userId: string) : Promise<Result<Actor, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("session_switch", { userId }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async unitsList() : Promise<Result<Unit[], AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("units_list") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async unitSave(input: UnitInput) : Promise<Result<Unit, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("unit_save", { input }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async officersList() : Promise<Result<OfficerRow[], AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("officers_list") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async officerGet(id: string) : Promise<Result<OfficerDetail, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("officer_get", { id }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async officerSave(input: OfficerInput) : Promise<Result<Officer, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("officer_save", { input }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async officerRetire(id: string, date: string, reason: string) : Promise<Result<null, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("officer_retire", { id, date, reason }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async officerReinstate(id: string) : Promise<Result<null, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("officer_reinstate", { id }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async trainingAdd(input: TrainingInput) : Promise<Result<Training, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("training_add", { input }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async trainingDelete(id: string) : Promise<Result<null, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("training_delete", { id }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async needsList() : Promise<Result<NeedRow[], AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("needs_list") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async needGet(id: string) : Promise<Result<NeedDetail, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("need_get", { id }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async needSubmit(input: NeedInput) : Promise<Result<Need, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("need_submit", { input }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async needReview(input: ReviewInput) : Promise<Result<Review, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("need_review", { input }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async needTransition(id: string, to: NeedStatus, comment: string) : Promise<Result<Need, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("need_transition", { id, to, comment }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async historyGet(table: string, id: string) : Promise<Result<HistoryEntry[], AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("history_get", { table, id }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async exportOfficers() : Promise<Result<ExportResult, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("export_officers") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async exportNeeds() : Promise<Result<ExportResult, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("export_needs") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async exportOfficerTemplate() : Promise<Result<ExportResult, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("export_officer_template") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async importOfficers(path: string) : Promise<Result<ImportReport, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("import_officers", { path }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async importReportExport(report: ImportReport) : Promise<Result<ExportResult, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("import_report_export", { report }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async backupList() : Promise<Result<BackupInfo[], AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("backup_list") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async backupNow() : Promise<Result<BackupInfo, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("backup_now") };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
async backupRestore(path: string) : Promise<Result<null, AppError>> {
    try {
    return { status: "ok", data: await TAURI_INVOKE("backup_restore", { path }) };
} catch (e) {
    if(e instanceof Error) throw e;
    else return { status: "error", error: e  as any };
}
},
}

/** user-defined events **/



/** user-defined constants **/



/** user-defined types **/

export type Actor = { userId: string; name: string; role: Role; unitId: string | null }
export type AppError = { code: ErrorCode; message: string }
export type ErrorCode = "validation" | "forbidden" | "not_found" | "conflict" | "import_rejected" | "io" | "internal"
export type Attachment = { name: string; note: string }
export type BackupInfo = { path: string; fileName: string; sizeBytes: number; createdMs: number }
export type ChangeKind = "created" | "updated" | "deleted" | "restored"
export type ExportResult = { path: string; rows: number }
export type FieldChange = { column: string; before: JsonValue; after: JsonValue }
export type HistoryEntry = { seq: number; atMs: number; actorName: string | null; origin: string; reason: string | null; kind: ChangeKind; fields: FieldChange[] }
export type ImportReport = { accepted: boolean; imported: number; totalRows: number; errors: RowError[] }
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key in string]: JsonValue }
export type Need = { id: string; unitId: string; unitName: string; title: string; kind: NeedKind; description: string; priority: Priority; expectedBenefit: string; attachments: Attachment[]; status: NeedStatus; submitterName: string | null; submittedMs: number }
export type NeedDetail = { need: Need; transitions: Transition[]; reviews: Review[]; allowedTransitions: NeedStatus[] }
export type NeedInput = { unitId: string; title: string; kind: NeedKind; description: string; priority: Priority; expectedBenefit: string; attachments: Attachment[] }
export type NeedKind = "need" | "scenario" | "project_idea"
export type Priority = "low" | "medium" | "high" | "urgent"
export type NeedRow = { id: string; unitId: string; unitName: string; title: string; kind: NeedKind; priority: Priority; status: NeedStatus; submitterName: string | null; submittedMs: number; reviewCount: number; avgScore: number | null }
export type NeedStatus = "submitted" | "under_review" | "approved" | "in_development" | "launched" | "rejected" | "on_hold"
export type Officer = { id: string; unitId: string; staffNo: string; name: string; gender: string | null; title: string | null; phone: string | null; email: string | null; termStart: string | null; termEnd: string | null; duties: string | null; status: OfficerStatus; retiredOn: string | null; note: string | null }
export type OfficerDetail = { officer: Officer; trainings: Training[] }
export type OfficerInput = { id: string | null; unitId: string; staffNo: string; name: string; gender: string | null; title: string | null; phone: string | null; email: string | null; termStart: string | null; termEnd: string | null; duties: string | null; note: string | null }
export type OfficerRow = { id: string; unitId: string; unitName: string; staffNo: string; name: string; title: string | null; phoneMasked: string | null; termStart: string | null; termEnd: string | null; status: OfficerStatus; trainingCount: number }
export type OfficerStatus = "active" | "retired"
export type Review = { id: string; expertName: string | null; scores: Partial<{ [key in string]: number }>; total: number; comment: string; atMs: number }
export type ReviewInput = { needId: string; scores: Partial<{ [key in string]: number }>; comment: string }
export type Role = "admin" | "office" | "expert" | "officer"
export type RowError = { row: number; column: string; value: string; reason: string }
export type Session = { actor: Actor; users: UserSummary[]; dataDir: string; exportDir: string; deviceId: string }
export type Training = { id: string; officerId: string; date: string; topic: string; attended: boolean; hours: number | null }
export type TrainingInput = { officerId: string; date: string; topic: string; attended: boolean; hours: number | null }
export type Transition = { id: string; fromStatus: NeedStatus; toStatus: NeedStatus; actorName: string | null; atMs: number; comment: string }
export type Unit = { id: string; code: string; name: string; kind: UnitKind; active: boolean }
export type UnitInput = { id: string | null; code: string; name: string; kind: UnitKind; active: boolean }
export type UnitKind = "service_unit" | "college" | "office"
export type UserSummary = { id: string; name: string; role: Role; unitId: string | null; unitName: string | null }

/** tauri-specta globals **/

import {
	invoke as TAURI_INVOKE,
	Channel as TAURI_CHANNEL,
} from "@tauri-apps/api/core";
import * as TAURI_API_EVENT from "@tauri-apps/api/event";
import { type WebviewWindow as __WebviewWindow__ } from "@tauri-apps/api/webviewWindow";

type __EventObj__<T> = {
	listen: (
		cb: TAURI_API_EVENT.EventCallback<T>,
	) => ReturnType<typeof TAURI_API_EVENT.listen<T>>;
	once: (
		cb: TAURI_API_EVENT.EventCallback<T>,
	) => ReturnType<typeof TAURI_API_EVENT.once<T>>;
	emit: null extends T
		? (payload?: T) => ReturnType<typeof TAURI_API_EVENT.emit>
		: (payload: T) => ReturnType<typeof TAURI_API_EVENT.emit>;
};

export type Result<T, E> =
	| { status: "ok"; data: T }
	| { status: "error"; error: E };

function __makeEvents__<T extends Record<string, any>>(
	mappings: Record<keyof T, string>,
) {
	return new Proxy(
		{} as unknown as {
			[K in keyof T]: __EventObj__<T[K]> & {
				(handle: __WebviewWindow__): __EventObj__<T[K]>;
			};
		},
		{
			get: (_, event) => {
				const name = mappings[event as keyof T];

				return new Proxy((() => {}) as any, {
					apply: (_, __, [window]: [__WebviewWindow__]) => ({
						listen: (arg: any) => window.listen(name, arg),
						once: (arg: any) => window.once(name, arg),
						emit: (arg: any) => window.emit(name, arg),
					}),
					get: (_, command: keyof __EventObj__<any>) => {
						switch (command) {
							case "listen":
								return (arg: any) => TAURI_API_EVENT.listen(name, arg);
							case "once":
								return (arg: any) => TAURI_API_EVENT.once(name, arg);
							case "emit":
								return (arg: any) => TAURI_API_EVENT.emit(name, arg);
						}
					},
				});
			},
		},
	);
}
