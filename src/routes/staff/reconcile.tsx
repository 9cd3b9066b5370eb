import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { csvHeaders, toCsv } from '../../domain/csv'
import { universityScope } from '../../domain/staff'
import { recordAudit } from '../../flows/staff/audit'
import {
  differencesOf,
  jstDayOf,
  jstDayRange,
  latestRuns,
  reconcileOnDemand,
  runInScope,
  studentsOfDifferences,
  universitiesInScope,
} from '../../flows/staff/reconcile'
import { requireStaff } from '../../middleware/staff'
import type { FieldErrors } from '../../views/components'
import {
  detailText,
  KIND_LABEL,
  ReconcilePage,
  ReconcileRunPage,
  type ReconcileFormValues,
} from '../../views/staff/reconcile'
import { consoleForm, optionalText, refill, requiredField } from './forms'
import { notFound as notFoundReply } from './replies'

type C = Context<AppEnv>

const DAY = 24 * 60 * 60_000

/**
 * 突合: the runs a member may see (their university's; the call centre's every one),
 * one run's differences and its CSV, and 突合を実行 for a day. A run of a university
 * outside the member's scope is answered as if it did not exist.
 */
export const reconcile = new Hono<AppEnv>()

const member = (c: C) => c.get('staff')!

const renderPage = async (c: C, values: Partial<ReconcileFormValues>, errors: FieldErrors) => {
  const { db, clock } = c.get('deps')
  const scope = universityScope(member(c))
  const [runs, universities] = await Promise.all([
    latestRuns(db, scope),
    universitiesInScope(db, scope),
  ])
  return c.render(
    <ReconcilePage
      runs={runs}
      universities={universities}
      showUniversity={scope === null}
      values={{
        // Yesterday is what is normally compared: today is not over yet.
        day: values.day ?? jstDayOf(clock() - DAY),
        university: values.university ?? scope ?? universities[0]?.id ?? '',
      }}
      errors={errors}
    />,
    { title: c.get('ct')('reconcileTitle') },
  )
}

const notFoundPage = (c: C) =>
  notFoundReply(c, { href: '/staff/reconciliation', label: 'reconcileBackToList' })

reconcile.get('/reconciliation', requireStaff('reconcile'), (c) => renderPage(c, {}, {}))

const runSchema = z.object({
  day: requiredField(10).refine((v) => jstDayRange(v) !== null, { error: 'reconcileDayInvalid' }),
  // Only the call centre chooses; anyone else's runs are of their own university.
  university: optionalText(100),
})
const runLabels = { day: 'reconcileDay', university: 'university' } as const

reconcile.post(
  '/reconciliation',
  requireStaff('reconcile'),
  consoleForm(runSchema, runLabels, (c, errors, raw) =>
    renderPage(c, refill(raw, ['day', 'university']), errors),
  ),
  async (c) => {
    const form = c.req.valid('form')
    const ct = c.get('ct')
    const deps = c.get('deps')
    const who = member(c)
    const scope = universityScope(who)
    const refuse = (
      field: 'day' | 'university',
      key: 'reconcileDayFuture' | 'reconcileUniversityInvalid',
    ) => {
      c.status(422)
      const label = ct(runLabels[field])
      return renderPage(c, form, { [field]: { text: ct(key, { field: label }) } })
    }
    // A day not over yet can be compared (what has happened so far); a day to come cannot.
    if (form.day > jstDayOf(deps.clock())) return refuse('day', 'reconcileDayFuture')
    const u = (await universitiesInScope(deps.db, scope)).find(
      (x) => x.id === (scope ?? form.university),
    )
    if (!u) return refuse('university', 'reconcileUniversityInvalid')
    const runId = await reconcileOnDemand(deps, u, form.day, who.id)
    const run = await runInScope(deps.db, runId, scope)
    await recordAudit(deps.db, who, deps.clock(), {
      action: 'reconcile.run',
      universityId: u.id,
      targetType: 'reconciliation',
      targetId: runId,
      after: {
        day: form.day,
        differences: run?.differenceCount ?? null,
        error: run?.error ?? null,
      },
    })
    return c.redirect(`/staff/reconciliation/${runId}`, 303)
  },
)

/** The run named in the path, if it exists and the member's scope covers it. */
const scopedRun = (c: C, param: string) => {
  const id = Number(param.replace(/\.csv$/, ''))
  return runInScope(c.get('deps').db, id, universityScope(member(c)))
}

/** A run's differences as CSV. */
const runCsv = async (c: C, ref: string) => {
  const run = await scopedRun(c, ref)
  if (!run) return notFoundPage(c)
  const ct = c.get('ct')
  const tr = c.get('tr')
  const { db } = c.get('deps')
  const differences = await differencesOf(db, run.id)
  // Who each difference is about, for the office to look up (empty where no student is known).
  const people = await studentsOfDifferences(db, run.universityId, differences)
  const csv = toCsv(
    [
      ct('reconcileKind'),
      ct('reconcileColApplication'),
      ct('reconcileColPayment'),
      ct('reconcileColCredit'),
      ct('reconcileColGatewayAmount'),
      ct('reconcileColApplicationAmount'),
      ct('reconcileColMicAmount'),
      ct('reconcileColDetail'),
      ct('reconcileColUserId'),
      ct('reconcileColNameKana'),
    ],
    differences.map((d) => [
      ct(KIND_LABEL[d.kind]),
      d.applicationId,
      d.paymentId,
      d.micCreditId,
      d.gatewayAmount,
      d.applicationAmount,
      d.micAmount,
      detailText(ct, tr, d.detail),
      people.get(d.id)?.userId ?? '',
      people.get(d.id)?.nameKana ?? '',
    ]),
  )
  return c.body(csv, 200, csvHeaders(`reconciliation-${run.universityId}-${run.day}-${run.id}.csv`))
}

/** A run's page. */
const runPage = async (c: C, ref: string) => {
  const run = await scopedRun(c, ref)
  if (!run) return notFoundPage(c)
  const ct = c.get('ct')
  const differences = await differencesOf(c.get('deps').db, run.id)
  return c.render(
    <ReconcileRunPage
      run={run}
      differences={differences}
      showUniversity={universityScope(member(c)) === null}
    />,
    { title: ct('reconcileRunTitle', { day: run.day.replaceAll('-', '/') }) },
  )
}

// "12" is the run's page, "12.csv" its download: one route, so that Hono's RegExpRouter
// (one regular expression for every route) can serve the app; two patterns at one place
// would leave every request to the slower TrieRouter.
reconcile.get('/reconciliation/:ref{[0-9]{1,12}(?:\\.csv)?}', requireStaff('reconcile'), (c) => {
  const ref = c.req.param('ref')
  return ref.endsWith('.csv') ? runCsv(c, ref) : runPage(c, ref)
})
