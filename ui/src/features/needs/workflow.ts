//! Need workflow vocabulary shared by board, list, chart and drawer.
import type { NeedKind, NeedPriority, NeedRow, NeedStatus } from '@/api'

/** Board columns, in workflow order. */
export const NEED_STATUSES: NeedStatus[] = [
  'submitted',
  'under_review',
  'approved',
  'in_development',
  'launched',
  'rejected',
  'on_hold',
]
export const NEED_KINDS: NeedKind[] = ['need', 'scenario', 'project_idea']
export const NEED_PRIORITIES: NeedPriority[] = ['low', 'medium', 'high', 'urgent']
export const REVIEW_CRITERIA = ['feasibility', 'benefit', 'urgency', 'cost'] as const

export function priorityTagType(p: NeedPriority): 'info' | 'primary' | 'warning' | 'danger' {
  return ({ low: 'info', medium: 'primary', high: 'warning', urgent: 'danger' } as const)[p]
}

export function statusTagType(s: NeedStatus): 'info' | 'primary' | 'success' | 'warning' | 'danger' {
  return (
    {
      submitted: 'info',
      under_review: 'warning',
      approved: 'primary',
      in_development: 'primary',
      launched: 'success',
      rejected: 'danger',
      on_hold: 'info',
    } as const
  )[s]
}

/** Count per status, every status present (zero when none). */
export function countByStatus(rows: Pick<NeedRow, 'status'>[]): Record<NeedStatus, number> {
  const out = Object.fromEntries(NEED_STATUSES.map((s) => [s, 0])) as Record<NeedStatus, number>
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1
  return out
}

/** Rows grouped into board columns, newest first within a column. */
export function groupByStatus<T extends Pick<NeedRow, 'status' | 'submittedMs'>>(rows: T[]): Record<NeedStatus, T[]> {
  const out = Object.fromEntries(NEED_STATUSES.map((s) => [s, [] as T[]])) as Record<NeedStatus, T[]>
  for (const r of rows) (out[r.status] ??= []).push(r)
  for (const s of NEED_STATUSES) out[s].sort((a, b) => b.submittedMs - a.submittedMs)
  return out
}

/** Sum of the criterion scores, as the backend computes `total`. */
export function reviewTotal(scores: Record<string, number>): number {
  return Object.values(scores).reduce((s, v) => s + v, 0)
}
