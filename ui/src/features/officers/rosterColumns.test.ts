import { describe, expect, it } from 'vitest'
import type { RosterColumn } from '@/api'
import { ALL_COLUMNS, MEETING_COLUMNS, inRosterOrder, loadChoice, saveChoice } from './rosterColumns'

function memory() {
  const m = new Map<string, string>()
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) }
}

describe('roster export columns', () => {
  it('lists every column once; the meeting edition has the ten the core writes', () => {
    expect(new Set(ALL_COLUMNS).size).toBe(13)
    expect(MEETING_COLUMNS).toEqual(['unit', 'staff_no', 'name', 'title', 'phone', 'email', 'term_start', 'term_end', 'status', 'trainings'])
  })

  it('puts a choice in the workbook order', () => {
    expect(inRosterOrder(['phone', 'unit', 'name'])).toEqual(['unit', 'name', 'phone'])
  })

  it('remembers the last choice and ignores what it does not know', () => {
    const s = memory()
    expect(loadChoice(s)).toEqual(ALL_COLUMNS)
    saveChoice(['name', 'unit'], s)
    expect(loadChoice(s)).toEqual(['unit', 'name'])
    s.setItem('zongwu.rosterExportColumns', JSON.stringify(['age', 'name']))
    expect(loadChoice(s)).toEqual(['name'])
    s.setItem('zongwu.rosterExportColumns', '{broken')
    expect(loadChoice(s)).toEqual(ALL_COLUMNS)
    s.setItem('zongwu.rosterExportColumns', JSON.stringify(['age' as RosterColumn]))
    expect(loadChoice(s)).toEqual(ALL_COLUMNS)
  })
})
