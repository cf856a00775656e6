//! Small display helpers shared by the views.

const pad = (n: number) => String(n).padStart(2, '0')

/** `YYYY-MM-DD` in local time. */
export function formatDate(ms: number | null | undefined): string {
  if (ms == null) return ''
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** `YYYY-MM-DD HH:mm` in local time. */
export function formatDateTime(ms: number | null | undefined): string {
  if (ms == null) return ''
  const d = new Date(ms)
  return `${formatDate(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Today as `YYYY-MM-DD`. */
export function today(): string {
  return formatDate(Date.now())
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v >= 10 ? 0 : 1)} ${units[i]}`
}

/** `2017-09-01 – 2020-08-31`, tolerating either end missing. */
export function formatTerm(start: string | null, end: string | null): string {
  if (!start && !end) return ''
  return `${start ?? '…'} – ${end ?? '…'}`
}

/** JSON values from history entries, shown compactly. */
export function formatJson(v: unknown): string {
  if (v === null || v === undefined) return '∅'
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

/** `staffNo` → `staff_no`; history column names may come either way. */
export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}

/** Trimmed string or null, for optional form fields. */
export function orNull(s: string | null | undefined): string | null {
  const v = (s ?? '').trim()
  return v === '' ? null : v
}
