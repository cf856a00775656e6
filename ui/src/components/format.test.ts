import { describe, expect, it } from 'vitest'
import { formatBytes, formatDate, formatJson, formatTerm, orNull, snakeCase } from './format'

describe('format helpers', () => {
  it('formats dates as YYYY-MM-DD in local time', () => {
    expect(formatDate(new Date(2024, 0, 5, 13, 0).getTime())).toBe('2024-01-05')
    expect(formatDate(null)).toBe('')
  })
  it('formats sizes with binary units', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB')
  })
  it('shows an open-ended term with an ellipsis', () => {
    expect(formatTerm('2020-09-01', null)).toBe('2020-09-01 – …')
    expect(formatTerm(null, null)).toBe('')
  })
  it('turns blank optional fields into null so the backend stores NULL, not ""', () => {
    expect(orNull('  ')).toBeNull()
    expect(orNull(' x ')).toBe('x')
  })
  it('normalizes history column names to snake_case for label lookup', () => {
    expect(snakeCase('staffNo')).toBe('staff_no')
    expect(snakeCase('staff_no')).toBe('staff_no')
    expect(snakeCase('termStart')).toBe('term_start')
  })
  it('renders history JSON values', () => {
    expect(formatJson(null)).toBe('∅')
    expect(formatJson(3)).toBe('3')
  })
})
