/// <reference types="vite/client" />
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { database } from '../../src/db'
import { countsTowardCap, CREDIT_STATUSES, PAYMENT_STATUSES } from '../../src/domain/application'
import { outstandingAmount } from '../../src/flows/charge'

describe('one rule for what counts against the cap', () => {
  it('gives the same answer in SQL as in the domain function, for every pair of statuses', async () => {
    const student = await env.DB.prepare(
      "SELECT id FROM students WHERE university_id = 'demo' LIMIT 1",
    ).first<{ id: number }>()
    const studentId =
      student?.id ??
      (await env.DB.prepare(
        "INSERT INTO students (university_id, user_id, name_kana) VALUES ('demo', 'test0299', 'テスト') RETURNING id",
      ).first<{ id: number }>())!.id
    await env.DB.prepare('DELETE FROM applications WHERE student_id = ?').bind(studentId).run()
    let expected = 0
    let n = 0
    for (const status of PAYMENT_STATUSES)
      for (const creditStatus of CREDIT_STATUSES) {
        // Distinct powers of two: the sum says exactly which rows were counted.
        const amount = 2 ** n++
        if (countsTowardCap({ status, creditStatus })) expected += amount
        await env.DB.prepare(
          `INSERT INTO applications (university_id, student_id, amount, payment_method, status, credit_status, request_key, provider, payment_deadline, created_at, updated_at)
           VALUES ('demo', ?, ?, 'credit_card', ?, ?, ?, 'komoju', 0, 0, 0)`,
        )
          .bind(studentId, amount, status, creditStatus, `rule-${status}-${creditStatus}`)
          .run()
      }
    expect(await outstandingAmount(database(env.DB), studentId)).toBe(expected)
  })
})

describe('what must run inside the student’s desk', () => {
  it('is imported by the StudentDesk and by nothing else', () => {
    const sources = import.meta.glob('../../src/**/*.{ts,tsx}', {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>
    const importers = Object.entries(sources)
      .filter(([, text]) =>
        /from '[^']*\/desk\/(apply|credit|refund|cashRefund|gateway)'/.test(text),
      )
      .map(([path]) => path.replace('../../', ''))
    expect(Object.keys(sources).length).toBeGreaterThan(40)
    expect(importers).toEqual(['src/durable/studentDesk.ts'])
  })
})

describe('the source', () => {
  it('has no import cycle: every module depends only on what it needs, nothing back on the desk', () => {
    const sources = import.meta.glob('../../src/**/*.{ts,tsx}', {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>
    const text = new Map(Object.entries(sources).map(([k, v]) => [k.replace('../../', ''), v]))
    const files = new Set(text.keys())
    const resolve = (from: string, spec: string) => {
      const base = new URL(spec, `file:///${from}`).pathname.slice(1).replace(/\.tsx?$/, '')
      return ['.ts', '.tsx', '/index.ts', '/index.tsx']
        .map((ext) => base + ext)
        .find((f) => files.has(f))
    }
    // Type-only imports count too: a cycle of types still ties the modules together.
    const graph = new Map(
      [...files].map((f) => [
        f,
        [...text.get(f)!.matchAll(/(?:import|export)[^'";]*?from '(\.[^']+)'/g)]
          .map((m) => resolve(f, m[1]!))
          .filter((x): x is string => x !== undefined),
      ]),
    )
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' → '))
        return
      }
      state.set(f, 'open')
      for (const g of graph.get(f)!) visit(g, [...path, f])
      state.set(f, 'done')
    }
    for (const f of files) visit(f, [])
    expect(files.size).toBeGreaterThan(40)
    expect([...graph.values()].flat().length).toBeGreaterThan(200) // the imports were read
    expect(cycles).toEqual([])
  })
})
