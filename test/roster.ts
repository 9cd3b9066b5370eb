import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import type { Client } from './client'

// Shared by the roster's tests (integration/roster*.test.ts): uploading a file as the
// console's form does, and waiting for the queue to check it.

export const encodeUtf8 = (text: string) => new TextEncoder().encode(text)

export const withBom = (text: string) =>
  Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)])

export const fromHex = (hex: string) =>
  Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)))

/** Posts `bytes` as the upload form's file (multipart, with the CSRF field). */
export const uploadRoster = async (client: Client, bytes: Uint8Array, name = 'roster.csv') => {
  if (!client.cookies.has('__Host-csrf')) await client.get('/staff/login')
  const form = new FormData()
  form.set('_csrf', client.csrf)
  form.set('file', new File([bytes], name, { type: 'text/csv' }))
  const res = await client.request('/staff/roster', { method: 'POST', body: form })
  return { res, html: await res.text() }
}

/** The import an upload redirected to. */
export const importIdOf = (res: Response) => {
  expect(res.status, 'upload redirects to its import').toBe(303)
  const m = /\/staff\/roster\/(\d+)$/.exec(res.headers.get('location') ?? '')
  expect(m).not.toBeNull()
  return Number(m![1])
}

export interface ImportRow {
  state: string
  total_rows: number
  checked_rows: number
  new_count: number
  changed_count: number
  leaving_count: number
  unchanged_count: number
  rejected_count: number
  encoding: string | null
  file_key: string | null
  error: string | null
}

export const importRow = (id: number) =>
  env.DB.prepare('SELECT * FROM roster_imports WHERE id = ?').bind(id).first<ImportRow>()

/**
 * Waits until the queue has checked the import (the consumer runs beside the test, as in
 * production). Counted in polls, not time: a slow machine only waits longer.
 */
export const checked = async (id: number, polls = 2400) => {
  for (let i = 0; i < polls; i++) {
    const row = await importRow(id)
    if (row && row.state !== 'checking') return row
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`import ${id} still checking`)
}

/** Uploads and waits for the check; returns the import's id and row. */
export const uploadChecked = async (client: Client, bytes: Uint8Array, name?: string) => {
  const { res } = await uploadRoster(client, bytes, name)
  const id = importIdOf(res)
  return { id, row: await checked(id) }
}

export const rowsOf = (id: number) =>
  env.DB.prepare('SELECT * FROM roster_import_rows WHERE import_id = ? ORDER BY line')
    .bind(id)
    .all<{
      line: number
      user_id: string | null
      change: string
      reason: string | null
      password_hash: string | null
      name: string | null
      name_kana: string | null
    }>()
    .then((r) => r.results)

export const person = (userId: string, universityId = 'demo') =>
  env.DB.prepare('SELECT * FROM directory_people WHERE university_id = ? AND user_id = ?')
    .bind(universityId, userId)
    .first<{
      user_id: string
      name_kana: string
      name: string | null
      status: string
      left_on: string | null
      password_hash: string | null
      source: string
    }>()

/** An LDAP {SSHA} hash of `password`, as slappasswd writes it. */
export const sshaOf = async (
  password: string,
  salt = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
) => {
  const pw = new TextEncoder().encode(password)
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-1', Uint8Array.from([...pw, ...salt])),
  )
  return '{SSHA}' + btoa(String.fromCharCode(...digest, ...salt))
}

export const HEADER = 'ユーザID,氏名カナ,氏名,在籍状況,離籍日,パスワードハッシュ,初期パスワード'
