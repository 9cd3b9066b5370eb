import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../../context'
import { csvHeaders, toCsv } from '../../domain/csv'
import { ROSTER_TEMPLATE } from '../../domain/rosterCsv'
import type { StaffPrincipal } from '../../domain/staff'
import {
  applicable,
  applyImport,
  discardImport,
  listImports,
  loadImport,
} from '../../flows/roster/imports'
import { previewRows, staffName } from '../../flows/roster/preview'
import { MAX_UPLOAD_BYTES, startUpload, type UploadRefusal } from '../../flows/roster/upload'
import { principalOf } from '../../flows/staff/auth'
import type { ConsoleKey } from '../../i18n/console'
import { requireStaff } from '../../middleware/staff'
import { RosterPage, STATE_LABEL, type Notice } from '../../views/staff/roster'
import { ImportPage } from '../../views/staff/rosterImport'
import { forbidden, notFound as notFoundReply } from './replies'

type C = Context<AppEnv>
type Admin = StaffPrincipal & { universityId: string }

const MAX_MB = MAX_UPLOAD_BYTES / (1024 * 1024)

/**
 * A larger upload is cut off before anything reads it (mounted ahead of the CSRF check,
 * which parses the form): the upload page then says how large a file may be. The margin
 * is the multipart framing around the file.
 */
export const rosterUploadLimit = () =>
  bodyLimit({
    maxSize: MAX_UPLOAD_BYTES + 64 * 1024,
    onError: (c) => c.redirect('/staff/roster?error=tooLarge', 303),
  })

/**
 * 名簿 (管理者 only): upload a roster CSV, follow its check, preview what it would change,
 * apply it (all or nothing) or discard it. Only the administrator's own university's imports
 * exist here; another's are not found.
 */
export const roster = new Hono<AppEnv>()

roster.use('/roster', requireStaff('roster'))
roster.use('/roster/*', requireStaff('roster'))
roster.use('/roster-template.csv', requireStaff('roster'))

const adminOf = (c: C): Admin | null => {
  const p = principalOf(c.get('staff')!)
  return p.universityId ? (p as Admin) : null
}

const notFound = (c: C) => notFoundReply(c, { href: '/staff/roster', label: 'rosterBack' })

const REFUSAL: Record<UploadRefusal['problem'], ConsoleKey> = {
  tooLarge: 'rosterErrTooLarge',
  empty: 'rosterErrEmpty',
  notText: 'rosterErrNotText',
  headerMalformed: 'rosterErrHeaderMalformed',
  noRows: 'rosterErrNoRows',
  missingColumns: 'rosterErrMissingColumns',
  unknownColumns: 'rosterErrUnknownColumns',
  duplicateColumns: 'rosterErrDuplicateColumns',
}

const refusalText = (c: C, r: UploadRefusal) =>
  c.get('ct')(REFUSAL[r.problem], {
    max: MAX_MB,
    columns: 'columns' in r ? r.columns.map((n) => `「${n.slice(0, 40)}」`).join(' ') : '',
  })

const renderList = async (c: C, admin: Admin, opts: { uploadError?: string; notice?: Notice }) => {
  const imports = await listImports(c.get('deps'), admin.universityId)
  return c.render(<RosterPage imports={imports} maxMb={MAX_MB} {...opts} />, {
    title: c.get('ct')('rosterTitle'),
  })
}

roster.get('/roster', async (c) => {
  const admin = adminOf(c)
  if (!admin) return forbidden(c)
  const error = c.req.query('error')
  return renderList(c, admin, {
    uploadError: error === 'tooLarge' ? refusalText(c, { problem: 'tooLarge' }) : undefined,
  })
})

/** The template: the header and one example row, UTF-8 with a BOM (Excel opens it right). */
roster.get('/roster-template.csv', (c) => {
  const [header, ...rows] = ROSTER_TEMPLATE
  return c.body(toCsv(header!, rows), 200, csvHeaders('roster-template.csv'))
})

roster.post('/roster', async (c) => {
  const admin = adminOf(c)
  if (!admin) return forbidden(c)
  const ct = c.get('ct')
  // Parsed once already by the CSRF check (Hono keeps the parsed body).
  const body = await c.req.parseBody()
  const file = body['file']
  if (!(file instanceof File) || file.size === 0) {
    c.status(422)
    return renderList(c, admin, {
      uploadError: ct(file instanceof File ? 'rosterErrEmpty' : 'rosterErrNoFile'),
    })
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    c.status(413)
    return renderList(c, admin, { uploadError: refusalText(c, { problem: 'tooLarge' }) })
  }
  const outcome = await startUpload(
    c.get('deps'),
    { bucket: c.env.ROSTER_UPLOADS, queue: c.env.ROSTER_IMPORTS, pepper: c.env.PEPPER },
    {
      universityId: admin.universityId,
      by: admin.id,
      fileName: file.name || 'roster.csv',
      bytes: new Uint8Array(await file.arrayBuffer()),
    },
  )
  if (outcome.kind === 'refused') {
    c.status(422)
    return renderList(c, admin, { uploadError: refusalText(c, outcome) })
  }
  return c.redirect(`/staff/roster/${outcome.importId}`, 303)
})

const idParam = (c: C) => {
  const raw = c.req.param('id') ?? ''
  return /^[0-9]{1,12}$/.test(raw) ? Number(raw) : null
}

const pageParam = (raw: string | undefined) => {
  const n = Number(raw)
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1
}

const DONE: Record<string, ConsoleKey> = { applied: 'rosterApplied', discarded: 'rosterDiscarded' }

const renderImport = async (
  c: C,
  admin: Admin,
  id: number,
  opts: { notice?: Notice; ackError?: boolean } = {},
) => {
  const deps = c.get('deps')
  const ct = c.get('ct')
  const imp = await loadImport(deps, id, admin.universityId)
  if (!imp) return notFound(c)
  const query = new URL(c.req.url).searchParams
  query.delete('done')
  const [rejected, changes, byName] = await Promise.all([
    previewRows(deps, id, ['rejected'], pageParam(query.get('rpage') ?? undefined)),
    previewRows(
      deps,
      id,
      ['new', 'changed', 'leaving'],
      pageParam(query.get('cpage') ?? undefined),
    ),
    staffName(deps, imp.createdBy),
  ])
  let notice = opts.notice
  const done = c.req.query('done')
  if (!notice && done && DONE[done])
    notice = {
      kind: 'success',
      text: ct(DONE[done]!, {
        new: imp.newCount,
        changed: imp.changedCount,
        leaving: imp.leavingCount,
      }),
    }
  return c.render(
    <ImportPage
      imp={imp}
      canApply={applicable(imp, deps.clock())}
      byName={byName}
      rejected={rejected}
      changes={changes}
      query={query}
      notice={notice}
      ackError={opts.ackError}
    />,
    {
      title: ct('rosterImportTitle', { id: imp.id }),
      refreshSeconds: imp.state === 'checking' ? 5 : undefined,
    },
  )
}

roster.get('/roster/:id', async (c) => {
  const admin = adminOf(c)
  if (!admin) return forbidden(c)
  const id = idParam(c)
  if (id === null) return notFound(c)
  return renderImport(c, admin, id)
})

const notReady = (c: C, admin: Admin, id: number, state: keyof typeof STATE_LABEL) => {
  c.status(409)
  const ct = c.get('ct')
  return renderImport(c, admin, id, {
    notice: { kind: 'error', text: ct('rosterErrNotReady', { state: ct(STATE_LABEL[state]) }) },
  })
}

roster.post('/roster/:id/apply', async (c) => {
  const admin = adminOf(c)
  if (!admin) return forbidden(c)
  const id = idParam(c)
  if (id === null) return notFound(c)
  const deps = c.get('deps')
  const imp = await loadImport(deps, id, admin.universityId)
  if (!imp) return notFound(c)
  if (!applicable(imp, deps.clock())) return notReady(c, admin, id, imp.state)
  // Rows with errors are skipped only when the administrator has said so on the form.
  const body = await c.req.parseBody()
  if (imp.rejectedCount > 0 && body['skip_rejected'] !== '1') {
    c.status(422)
    return renderImport(c, admin, id, { ackError: true })
  }
  const outcome = await applyImport(deps, id, admin, {
    universityId: admin.universityId,
    files: c.env.ROSTER_UPLOADS,
  })
  switch (outcome.kind) {
    case 'notFound':
      return notFound(c)
    case 'notReady':
      return notReady(c, admin, id, outcome.state)
    case 'failed':
      c.status(503)
      return renderImport(c, admin, id, {
        notice: { kind: 'error', text: c.get('ct')('rosterErrApplyFailed') },
      })
    case 'applied':
      return c.redirect(`/staff/roster/${id}?done=applied`, 303)
  }
})

roster.post('/roster/:id/discard', async (c) => {
  const admin = adminOf(c)
  if (!admin) return forbidden(c)
  const id = idParam(c)
  if (id === null) return notFound(c)
  const outcome = await discardImport(c.get('deps'), id, {
    universityId: admin.universityId,
    files: c.env.ROSTER_UPLOADS,
  })
  if (outcome.kind === 'notFound') return notFound(c)
  if (outcome.kind === 'notReady') return notReady(c, admin, id, outcome.state)
  return c.redirect(`/staff/roster/${id}?done=discarded`, 303)
})
