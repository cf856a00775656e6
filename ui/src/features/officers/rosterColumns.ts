//! The roster workbook's columns, in the order the export writes them, and the
//! presets of the export dialog. Mirrors `RosterColumn::ALL` / `::MEETING` in
//! the core; the test keeps them in step with the generated type.
import type { RosterColumn } from '@/api'

export const ALL_COLUMNS: readonly RosterColumn[] = [
  'unit', 'staff_no', 'name', 'gender', 'title', 'phone', 'email',
  'term_start', 'term_end', 'status', 'trainings', 'duties', 'note',
]

/** 会议版: who to call and for how long, without gender and the long texts. */
export const MEETING_COLUMNS: readonly RosterColumn[] = ALL_COLUMNS.filter((c) => !['gender', 'duties', 'note'].includes(c))

/** Columns containing personal contact data, left out of the handout preset. */
export const CONTACT_COLUMNS: readonly RosterColumn[] = ['phone', 'email']

/** `chosen` in the workbook's order, whatever order they were ticked in. */
export function inRosterOrder(chosen: readonly RosterColumn[]): RosterColumn[] {
  return ALL_COLUMNS.filter((c) => chosen.includes(c))
}

const KEY = 'zongwu.rosterExportColumns'

/** The last choice, or every column; ignores anything unknown in storage. */
export function loadChoice(storage: Pick<Storage, 'getItem'> = localStorage): RosterColumn[] {
  try {
    const saved: unknown = JSON.parse(storage.getItem(KEY) ?? 'null')
    if (Array.isArray(saved)) {
      const known = inRosterOrder(saved.filter((c): c is RosterColumn => ALL_COLUMNS.includes(c as RosterColumn)))
      if (known.length > 0) return known
    }
  } catch {
    // A broken value falls back to the default below.
  }
  return [...ALL_COLUMNS]
}

export function saveChoice(chosen: readonly RosterColumn[], storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, JSON.stringify(inRosterOrder(chosen)))
}
