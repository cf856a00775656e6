//! In-memory fake backend for running the UI in a plain browser (vite dev /
//! preview). It mimics the command contract closely enough to click through
//! every screen; it is not a specification of backend rules, and it holds
//! none: what a role may do (capabilities, allowed transitions) is read from
//! `fixtures/capabilities.json`, fixture data written from the Rust rule table
//! by `cargo xtask bindings` (src-tauri/tests/bindings.rs checks it is fresh).
//! Field validation is the core's alone; the preview accepts any field.
import { mockIPC } from '@tauri-apps/api/mocks'
import ruleFixture from './fixtures/capabilities.json'
import type {
  Actor,
  BackupInfo,
  Capabilities,
  HistoryEntry,
  ImportReport,
  Need,
  NeedInput,
  NeedStatus,
  Officer,
  OfficerInput,
  Review,
  ReviewInput,
  Training,
  TrainingInput,
  Transition,
  Unit,
  UnitInput,
  UserSummary,
  LoginOutcome,
  NewServerUser,
  ServerAccount,
  ServerDevice,
  ServerUser,
  ServerUserEdit,
  SyncStatus,
} from './bindings'

/** Fixture data from the Rust rule table, per role (see the header). */
const fixture = ruleFixture as Record<Actor['role'], { capabilities: Capabilities; transitions: Record<NeedStatus, NeedStatus[]> }>
const caps = () => fixture[actor.role].capabilities
const allowedTransitions = (from: NeedStatus) => fixture[actor.role].transitions[from]

type Args = Record<string, unknown>

const fail = (code: string, message: string) => ({ code, message })
let idSeq = 1
const newId = () => `mock-${(idSeq++).toString(36).padStart(6, '0')}`

const unitNames: [string, string, Unit['kind']][] = [
  ['FW01', '饮食服务中心', 'service_unit'],
  ['FW02', '物业管理中心', 'service_unit'],
  ['FW03', '学生公寓管理中心', 'service_unit'],
  ['FW04', '能源管理中心', 'service_unit'],
  ['XY01', '计算机学院', 'college'],
  ['XY02', '经济管理学院', 'college'],
  ['XY03', '外国语学院', 'college'],
  ['JG01', '财务处', 'office'],
  ['JG02', '保卫处', 'office'],
  ['JG03', '总务处办公室', 'office'],
]
const units: Unit[] = unitNames.map(([code, name, kind]) => ({ id: newId(), code, name, kind, active: true }))

const users: UserSummary[] = [
  { id: 'u-admin', name: '王主任', role: 'admin', unitId: null, unitName: null },
  { id: 'u-office', name: '李老师', role: 'office', unitId: null, unitName: null },
  { id: 'u-expert', name: '陈教授', role: 'expert', unitId: null, unitName: null },
  { id: 'u-officer', name: '赵专员', role: 'officer', unitId: units[0].id, unitName: units[0].name },
]
let actor: Actor = { userId: 'u-admin', name: '王主任', role: 'admin', unitId: null }

const surnames = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'
const given = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '华', '平']
const titles = ['科长', '副科长', '科员', '主任', '干事', null]

const officers = new Map<string, Officer>()
const trainings = new Map<string, Training>()
const history = new Map<string, HistoryEntry[]>()

type MockField = Omit<HistoryEntry['fields'][number], 'overwrittenBy'>
function record(id: string, kind: HistoryEntry['kind'], fields: MockField[], reason: string | null = null) {
  const list = history.get(id) ?? []
  const now = Date.now()
  list.push({
    seq: list.length + 1, atMs: now, actorName: actor.name, origin: 'local', reason, kind,
    fields: fields.map((f) => ({ ...f, overwrittenBy: null })), deviceId: 'dev-0193a1b2c3d4', writtenMs: now, superseded: false, refused: null,
  })
  history.set(id, list)
}

for (let i = 0; i < 10000; i++) {
  const unit = units[i % units.length]
  const o: Officer = {
    id: newId(),
    unitId: unit.id,
    staffNo: `T${(100000 + i).toString()}`,
    name: surnames[i % surnames.length] + given[(i * 7) % given.length],
    gender: i % 2 ? '女' : '男',
    title: titles[i % titles.length],
    phone: `138${(10000000 + i * 37).toString().slice(0, 8)}`,
    email: null,
    termStart: `20${17 + (i % 8)}-09-01`,
    termEnd: `20${20 + (i % 8)}-08-31`,
    duties: '收集本单位信息化需求',
    status: i % 9 === 0 ? 'retired' : 'active',
    retiredOn: i % 9 === 0 ? '2024-07-01' : null,
    note: null,
  }
  officers.set(o.id, o)
  if (i < 50) {
    const t: Training = { id: newId(), officerId: o.id, date: '2024-03-15', topic: '服务平台使用培训', attended: true, hours: 2 }
    trainings.set(t.id, t)
  }
}

const statuses: NeedStatus[] = ['submitted', 'under_review', 'approved', 'in_development', 'launched', 'rejected', 'on_hold']
const needs = new Map<string, Need>()
const transitions = new Map<string, Transition[]>()
const reviews = new Map<string, Review[]>()
const needTitles = ['宿舍报修进度查询', '食堂消费数据分析', '新生入学一站式服务', '会议室在线预约', '能耗监测大屏', '快递柜分布地图', '校园卡挂失线上办理', '投诉工单自动分派']
for (let i = 0; i < 24; i++) {
  const unit = units[i % units.length]
  const n: Need = {
    id: newId(),
    unitId: unit.id,
    unitName: unit.name,
    title: `${needTitles[i % needTitles.length]}${i >= needTitles.length ? ` (${Math.floor(i / needTitles.length) + 1})` : ''}`,
    kind: (['need', 'scenario', 'project_idea'] as const)[i % 3],
    description: '希望通过服务平台实现线上办理，减少师生跑腿。',
    priority: (['low', 'medium', 'high', 'urgent'] as const)[i % 4],
    expectedBenefit: '提升满意度',
    attachments: [],
    status: statuses[i % statuses.length],
    submitterName: '赵专员',
    submittedMs: Date.now() - i * 86400000 * 3,
  }
  needs.set(n.id, n)
  transitions.set(n.id, [{ id: newId(), fromStatus: 'submitted', toStatus: 'submitted', actorName: '赵专员', atMs: n.submittedMs, comment: '' }])
  reviews.set(n.id, [])
}

const backups: BackupInfo[] = [
  { path: '/data/zongwu/backups/zongwu-20250101-120000.db', fileName: 'zongwu-20250101-120000.db', sizeBytes: 5_242_880, createdMs: Date.now() - 86400000 * 7 },
]

const unitOf = (id: string) => units.find((u) => u.id === id)
const needRow = (n: Need) => {
  const rs = reviews.get(n.id) ?? []
  return {
    id: n.id, unitId: n.unitId, unitName: n.unitName, title: n.title, kind: n.kind, priority: n.priority,
    status: n.status, submitterName: n.submitterName, submittedMs: n.submittedMs, reviewCount: rs.length,
    avgScore: rs.length ? rs.reduce((s, r) => s + r.total, 0) / rs.length : null,
  }
}
const visible = (unitId: string) => !caps().ownUnitOnly || unitId === actor.unitId
const officerVisible = (o: Officer) => visible(o.unitId)
const mask = (p: string | null) => (p && p.length === 11 ? `${p.slice(0, 3)}****${p.slice(7)}` : p)
const exported = (name: string, rows: number) => ({ path: `/home/user/Documents/${name}-${Date.now()}.xlsx`, rows })

let account: ServerAccount | null = null
let syncStatus: SyncStatus = {
  state: 'signed_out', pending: 120, lastSuccessMs: null, lastAttemptMs: null, lastError: null, nextRetryMs: null,
  failures: 0, clockOffsetMs: null, dataRevision: 0, refused: [],
}
async function emitStatus() {
  const { emit } = await import('@tauri-apps/api/event')
  await emit('sync_status', syncStatus)
}
const serverUsers: ServerUser[] = [
  { id: 's-admin', login: 'admin', name: 'admin', role: 'admin', unitId: null, active: true },
  { id: 's-office', login: 'office', name: 'office', role: 'office', unitId: null, active: true },
  { id: 's-officer1', login: 'officer1', name: 'officer1', role: 'officer', unitId: units[0].id, active: true },
]
const serverDevices: ServerDevice[] = [
  { deviceId: 'dev-0193a1b2c3d4', userId: 's-admin', login: 'admin', registeredAtMs: Date.now() - 86400000, lastDeviceSeq: 1200 },
  { deviceId: '0193ffeeddccbbaa', userId: 's-officer1', login: 'officer1', registeredAtMs: Date.now() - 3600000, lastDeviceSeq: null },
]

const session = () => ({
  actor, capabilities: caps(), users, dataDir: '/home/user/.local/share/zongwu', exportDir: '/home/user/Documents',
  deviceId: 'dev-0193a1b2c3d4', account,
})

let opens = 0
const handlers: Record<string, (a: Args) => unknown> = {
  app_ready: () => null,
  session_get: () => session(),
  session_switch: (a) => {
    const u = users.find((x) => x.id === a.userId)
    if (!u) throw fail('not_found', '用户不存在')
    actor = { userId: u.id, name: u.name, role: u.role, unitId: u.unitId }
    return session()
  },
  units_list: () => units,
  unit_save: (a) => {
    if (!caps().editUnits) throw fail('forbidden', '无权修改单位')
    const input = a.input as UnitInput
    if (units.some((u) => u.code === input.code && u.id !== input.id)) throw fail('conflict', `单位代码 ${input.code} 已存在`)
    const u: Unit = { ...input, id: input.id ?? newId() }
    const i = units.findIndex((x) => x.id === u.id)
    if (i >= 0) units[i] = u
    else units.push(u)
    return u
  },
  officers_list: () =>
    [...officers.values()].filter(officerVisible).map((o) => ({
      id: o.id, unitId: o.unitId, unitName: unitOf(o.unitId)?.name ?? '', staffNo: o.staffNo, name: o.name,
      title: o.title, phoneMasked: mask(o.phone), termStart: o.termStart, termEnd: o.termEnd, status: o.status,
      trainingCount: [...trainings.values()].filter((t) => t.officerId === o.id).length,
    })),
  officer_get: (a) => {
    const o = officers.get(a.id as string)
    if (!o) throw fail('not_found', '专员不存在')
    return { officer: o, trainings: [...trainings.values()].filter((t) => t.officerId === o.id) }
  },
  // The field rules are the core's; the preview has none and accepts every field.
  officer_validate: () => [],
  officer_save: (a) => {
    if (!caps().editRoster) throw fail('forbidden', '无权修改名册')
    const input = a.input as OfficerInput
    const prev = input.id ? officers.get(input.id) : undefined
    const o: Officer = { ...input, id: input.id ?? newId(), status: prev?.status ?? 'active', retiredOn: prev?.retiredOn ?? null }
    officers.set(o.id, o)
    // Like the backend: a new officer gets an officer user of their own.
    if (!prev) users.push({ id: `u-${o.id}`, name: o.name, role: 'officer', unitId: o.unitId, unitName: unitOf(o.unitId)?.name ?? null })
    record(o.id, prev ? 'updated' : 'created', Object.keys(input)
      .filter((k) => k !== 'id' && (prev as Record<string, unknown> | undefined)?.[k] !== (input as Record<string, unknown>)[k])
      .map((k) => ({ column: k, before: ((prev as Record<string, unknown> | undefined)?.[k] ?? null) as never, after: ((input as Record<string, unknown>)[k] ?? null) as never })))
    return o
  },
  officer_retire: (a) => {
    const o = officers.get(a.id as string)
    if (!o) throw fail('not_found', '专员不存在')
    o.status = 'retired'
    o.retiredOn = a.date as string
    record(o.id, 'updated', [{ column: 'status', before: 'active', after: 'retired' }], a.reason as string)
    return null
  },
  officer_reinstate: (a) => {
    const o = officers.get(a.id as string)
    if (!o) throw fail('not_found', '专员不存在')
    o.status = 'active'
    o.retiredOn = null
    record(o.id, 'updated', [{ column: 'status', before: 'retired', after: 'active' }])
    return null
  },
  training_add: (a) => {
    const t: Training = { ...(a.input as TrainingInput), id: newId() }
    trainings.set(t.id, t)
    return t
  },
  training_delete: (a) => (trainings.delete(a.id as string), null),
  needs_list: () =>
    [...needs.values()].filter((n) => visible(n.unitId)).map(needRow),
  need_get: (a) => {
    const n = needs.get(a.id as string)
    if (!n) throw fail('not_found', '需求不存在')
    return { need: n, transitions: transitions.get(n.id) ?? [], reviews: reviews.get(n.id) ?? [], allowedTransitions: allowedTransitions(n.status) }
  },
  need_submit: (a) => {
    const input = a.input as NeedInput
    if (!caps().submitNeed) throw fail('forbidden', '无权提交需求')
    if (!visible(input.unitId)) throw fail('forbidden', '只能为本单位提交需求')
    const n: Need = { ...input, id: newId(), unitName: unitOf(input.unitId)?.name ?? '', status: 'submitted', submitterName: actor.name, submittedMs: Date.now() }
    needs.set(n.id, n)
    transitions.set(n.id, [{ id: newId(), fromStatus: 'submitted', toStatus: 'submitted', actorName: actor.name, atMs: Date.now(), comment: '' }])
    reviews.set(n.id, [])
    record(n.id, 'created', [{ column: 'title', before: null, after: n.title }])
    return n
  },
  need_review: (a) => {
    if (!caps().review) throw fail('forbidden', '无权评审')
    const input = a.input as ReviewInput
    const scores = input.scores as Record<string, number>
    const r: Review = { id: newId(), expertName: actor.name, scores, total: Object.values(scores).reduce((s, v) => s + v, 0), comment: input.comment, atMs: Date.now() }
    reviews.get(input.needId)?.push(r)
    return r
  },
  need_transition: (a) => {
    const n = needs.get(a.id as string)
    if (!n) throw fail('not_found', '需求不存在')
    const to = a.to as NeedStatus
    if (!allowedTransitions(n.status).includes(to)) throw fail('conflict', `不能从 ${n.status} 变为 ${to}`)
    transitions.get(n.id)?.push({ id: newId(), fromStatus: n.status, toStatus: to, actorName: actor.name, atMs: Date.now(), comment: (a.comment as string) ?? '' })
    record(n.id, 'updated', [{ column: 'status', before: n.status, after: to }], (a.comment as string) || null)
    n.status = to
    return n
  },
  history_get: (a) => history.get(a.id as string) ?? [],
  export_officers: (a) => {
    if (!(a.columns as unknown[]).length) throw { code: 'validation', message: '请至少选择一列导出 (choose at least one column)' }
    return exported('信息专员名册', officers.size)
  },
  export_needs: () => exported('需求表', needs.size),
  export_officer_template: () => exported('信息专员导入模板', 0),
  import_officers: (a): ImportReport =>
    String(a.path).includes('bad')
      ? { accepted: false, imported: 0, totalRows: 3, errors: [
          { row: 2, column: '电话', value: '1380000', reason: '电话必须是 11 位数字' },
          { row: 3, column: '单位', value: '不存在学院', reason: '未知单位' },
        ] }
      : { accepted: true, imported: 3, totalRows: 3, errors: [] },
  import_report_export: () => exported('导入错误报告', 2),
  backup_list: () => backups,
  backup_now: () => {
    const b: BackupInfo = { path: `/data/zongwu/backups/zongwu-${Date.now()}.db`, fileName: `zongwu-${Date.now()}.db`, sizeBytes: 5_300_000, createdMs: Date.now() }
    backups.unshift(b)
    return b
  },
  backup_restore: () => null,
  sync_status: () => syncStatus,
  sync_now: () => {
    if (!account?.joined) return null
    syncStatus = { ...syncStatus, state: 'idle', pending: 0, lastSuccessMs: Date.now(), lastAttemptMs: Date.now(), lastError: null, failures: 0, nextRetryMs: null }
    void emitStatus()
    return null
  },
  sync_login: (a): LoginOutcome => {
    if (a.password !== 'demo-admin-pass' && a.password !== 'demo-officer1-pass') throw fail('unauthorized', '登录名或密码错误，或登录已失效')
    const officer = String(a.login).startsWith('officer')
    account = {
      serverUrl: String(a.serverUrl), userId: `srv-${String(a.login)}`, login: String(a.login), name: String(a.login),
      role: officer ? 'officer' : 'admin', unitId: officer ? units[0].id : null, expiresAtMs: Date.now() + 30 * 86400000, joined: false,
    }
    const pending = 120
    return {
      account,
      plan: { pending, setupChanges: pending, outOfScope: officer ? 110 : 0, everPushed: false, canUpload: !officer, canDownloadOnly: true, recommended: 'download_only' },
    }
  },
  sync_join: () => {
    if (!account) throw fail('not_found', '请先登录')
    account = { ...account, joined: true }
    actor = { userId: account.userId, name: account.name, role: account.role, unitId: account.unitId }
    syncStatus = { ...syncStatus, state: 'idle', pending: 0, lastSuccessMs: Date.now(), lastAttemptMs: Date.now() }
    void emitStatus()
    return account
  },
  sync_logout: () => {
    account = null
    actor = { userId: 'u-admin', name: '王主任', role: 'admin', unitId: null }
    syncStatus = { ...syncStatus, state: 'signed_out', lastError: null }
    void emitStatus()
    return null
  },
  admin_users_list: () => serverUsers,
  admin_user_create: (a) => {
    const input = a.input as NewServerUser
    if (serverUsers.some((u) => u.login === input.login)) throw fail('conflict', `登录名 ${input.login} 已存在`)
    const u: ServerUser = { id: newId(), login: input.login, name: input.name, role: input.role, unitId: input.unitId, active: true }
    serverUsers.push(u)
    return u
  },
  admin_user_update: (a) => {
    const u = serverUsers.find((x) => x.id === a.id)
    if (!u) throw fail('not_found', '用户不存在')
    const edit = a.edit as ServerUserEdit
    Object.assign(u, { name: edit.name, role: edit.role, unitId: edit.unitId, active: edit.active })
    return u
  },
  admin_devices_list: () => serverDevices,
  admin_device_revoke: (a) => {
    const i = serverDevices.findIndex((d) => d.deviceId === a.deviceId)
    if (i < 0) throw fail('not_found', '设备不存在')
    serverDevices.splice(i, 1)
    return null
  },
  // Alternates a clean file and one that fails validation, to show both outcomes.
  'plugin:dialog|open': () => (++opens % 2 ? '/home/user/Documents/专员名册.xlsx' : '/home/user/Documents/专员名册-bad.xlsx'),
}

export function installMock(): void {
  mockIPC(
    async (cmd, args) => {
      await new Promise((r) => setTimeout(r, 60))
      const h = handlers[cmd]
      if (!h) throw fail('internal', `mock: unknown command ${cmd}`)
      // Return copies so the UI cannot mutate the fake store by accident.
      return structuredClone(h((args ?? {}) as Args))
    },
    { shouldMockEvents: true },
  )
}
