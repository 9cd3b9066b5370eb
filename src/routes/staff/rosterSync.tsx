import { and, desc, eq } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../context'
import { rosterImports, staffMembers, universities } from '../../db/schema'
import { recordAudit } from '../../flows/staff/audit'
import { describeFailure, syncRoster } from '../../flows/roster/sync'
import { requireStaff } from '../../middleware/staff'
import { importHref, RosterSyncPage, syncFailureText } from '../../views/staff/rosterSync'

type C = Context<AppEnv>

/**
 * 学務システムから名簿を更新 (管理者): the page with the button, and the button itself,
 * which brings the university's directory up to date from its registrar now (the nightly
 * cron does the same at 03:00 JST) and answers with the import's page, or says in words
 * why nothing changed.
 */
export const rosterSync = new Hono<AppEnv>()

const member = (c: C) => c.get('staff')!

const renderPage = async (
  c: C,
  universityId: string,
  failure?: { error: string; importId: number | null },
) => {
  const { db } = c.get('deps')
  const [u, runs] = await Promise.all([
    db
      .select({ through: universities.rosterSyncedThrough })
      .from(universities)
      .where(eq(universities.id, universityId))
      .get(),
    db
      .select({
        id: rosterImports.id,
        state: rosterImports.state,
        createdAt: rosterImports.createdAt,
        createdBy: rosterImports.createdBy,
        byName: staffMembers.name,
        newCount: rosterImports.newCount,
        changedCount: rosterImports.changedCount,
        leavingCount: rosterImports.leavingCount,
        rejectedCount: rosterImports.rejectedCount,
        error: rosterImports.error,
      })
      .from(rosterImports)
      .leftJoin(staffMembers, eq(staffMembers.id, rosterImports.createdBy))
      .where(
        and(eq(rosterImports.universityId, universityId), eq(rosterImports.source, 'registrar')),
      )
      .orderBy(desc(rosterImports.createdAt), desc(rosterImports.id))
      .limit(10)
      .all(),
  ])
  return c.render(
    <RosterSyncPage
      syncedThrough={u?.through ?? null}
      runs={runs}
      error={failure?.error}
      failedImport={failure?.importId ?? null}
    />,
    { title: c.get('ct')('rosterSyncTitle') },
  )
}

rosterSync.get('/roster-sync', requireStaff('roster'), (c) => {
  const universityId = member(c).universityId
  if (!universityId) return c.notFound()
  return renderPage(c, universityId)
})

rosterSync.post('/roster-sync', requireStaff('roster'), async (c) => {
  const who = member(c)
  const universityId = who.universityId
  if (!universityId) return c.notFound()
  const deps = c.get('deps')
  const r = await syncRoster(deps, universityId, who)
  if (r.ok) return c.redirect(importHref(r.importId), 303)
  // A sync that did not apply is kept in the audit log too (an applied one is, by the apply).
  await recordAudit(deps.db, who, deps.clock(), {
    action: 'roster.sync',
    universityId,
    targetType: 'roster_import',
    targetId: r.importId,
    after: { error: describeFailure(r.failure) },
  })
  const down = r.failure.error === 'maintenance' || r.failure.error === 'unavailable'
  c.status(down ? 503 : 422)
  return renderPage(c, universityId, {
    error: syncFailureText(c.get('ct'), r.failure),
    importId: r.failure.error === 'notApplied' ? r.importId : null,
  })
})
