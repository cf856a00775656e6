//! The error every API call throws: the backend's `{ code, message }`, kept
//! as a real Error so stack traces and `instanceof` work. Views never match on
//! `message`; they switch on `code` (see `src/errors.ts`).

/** Codes the backend sends; anything else is shown as `internal`. */
export const ERROR_CODES = [
  'validation',
  'forbidden',
  'not_found',
  'conflict',
  'import_rejected',
  'io',
  'network',
  'unauthorized',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export class ApiError extends Error {
  readonly code: ErrorCode
  constructor(code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal'
  }
}

/** Turns a tauri-specta `Result` into its data, throwing `ApiError` on error. */
export function unwrap<T>(
  r: { status: 'ok'; data: T } | { status: 'error'; error: { code: string; message: string } },
): T {
  if (r.status === 'ok') return r.data
  const e = r.error as unknown
  if (e && typeof e === 'object' && 'code' in e) {
    const { code, message } = e as { code: string; message?: string }
    throw new ApiError(String(code), String(message ?? ''))
  }
  // A command that failed before reaching our handler (e.g. bad argument)
  // rejects with a plain string.
  throw new ApiError('internal', typeof e === 'string' ? e : JSON.stringify(e))
}
