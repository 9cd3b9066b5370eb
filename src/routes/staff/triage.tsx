import { Hono } from 'hono'
import type { AppEnv } from '../../context'
import { universityScope } from '../../domain/staff'
import { stopWindowsBetween, triageOverview } from '../../flows/staff/triage'
import { requireStaff } from '../../middleware/staff'
import { TriagePage } from '../../views/staff/triage'

/** 要対応: the console's landing page. */
export const triage = new Hono<AppEnv>()

triage.get('/', requireStaff('read'), async (c) => {
  const ct = c.get('ct')
  const { db, clock } = c.get('deps')
  // Every query is limited to the member's university; the call centre's scope is all.
  const scope = universityScope(c.get('staff')!)
  const now = clock()
  // One D1 batch: one round trip after the session.
  const { counts, items, activity, inScope } = await triageOverview(db, scope, now)
  const nameOf = (u: { name: string; nameEn: string }) =>
    c.get('tr').lang === 'en' ? u.nameEn : u.name
  const windows = stopWindowsBetween(
    activity.from,
    activity.to,
    inScope.map((u) => ({ name: nameOf(u), fiscalYearEndBlackouts: u.fiscalYearEndBlackouts })),
  )
  // After 対応済みにする (routes/staff/events.tsx): say so, naming the event.
  const resolved = c.req.query('resolved')
  return c.render(
    <TriagePage
      resolved={resolved && resolved.length <= 200 ? resolved : null}
      counts={counts}
      items={items}
      now={now}
      universityNames={scope === null ? new Map(inScope.map((u) => [u.id, nameOf(u)])) : null}
      activity={activity}
      windows={windows}
    />,
    { title: ct('navTriage') },
  )
})
