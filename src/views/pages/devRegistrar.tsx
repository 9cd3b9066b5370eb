import { formatJstDateTime } from '../../domain/time'
import {
  REGISTRAR_FAULT_MODES,
  REGISTRAR_HOLDS,
  REGISTRAR_STATUSES,
  type RegistrarFault,
  type TwinIssuance,
  type TwinMaintenance,
  type TwinRecord,
} from '../../routes/devRegistrarTwin'
import { CsrfField } from '../components'
import { Messages, TwinTime, Unavailable, type Notice } from './dev'

const STATUS_JA: Record<string, string> = {
  enrolled: '在学',
  on_leave: '休学',
  graduated: '卒業',
  withdrawn: '退学',
}

/** The student the forms below act on, as hidden fields. */
const Student = ({ university, user }: { university: string; user: string }) => (
  <>
    <input type="hidden" name="university" value={university} />
    <input type="hidden" name="user" value={user} />
  </>
)

/** One student's record: what certificates would print, and the office's hands on it. */
const RecordCard = (p: { university: string; user: string; record: TwinRecord }) => {
  const r = p.record
  return (
    <section class="card" data-registrar-record={`${p.university}:${p.user}`}>
      <h3>
        {r.name.kanji} <span lang="ja">（{r.name.kana}）</span> {r.name.roman}
      </h3>
      <dl>
        <dt>Student number</dt>
        <dd class="mono">{r.student_number}</dd>
        <dt>Status</dt>
        <dd data-status={r.status}>
          {r.status} ({STATUS_JA[r.status] ?? '?'})
          {r.leave && ` — leave ${r.leave.from} to ${r.leave.to}`}
        </dd>
        <dt>Faculty / department</dt>
        <dd>
          {r.faculty.ja} {r.department.ja} ({r.faculty.en}, {r.department.en})
        </dd>
        <dt>Enrolled / graduation</dt>
        <dd>
          {r.enrolled_on} /{' '}
          {r.graduation ? `${r.graduation.on}${r.graduation.expected ? ' (expected)' : ''}` : '—'}
        </dd>
        <dt>Grades</dt>
        <dd>
          {r.grades.length} courses, GPA {r.gpa ?? '—'}, {r.credits_earned} credits earned
        </dd>
        <dt>Health check</dt>
        <dd>{r.health ? 'on record' : 'none'}</dd>
        <dt>Holds</dt>
        <dd data-holds={r.holds.map((h) => h.code).join(' ')}>
          {r.holds.length === 0
            ? 'none'
            : r.holds.map((h) => (
                <form method="post" action="/_dev/registrar/hold" class="inline">
                  <CsrfField />
                  <Student university={p.university} user={p.user} />
                  <input type="hidden" name="code" value={h.code} />
                  {h.code} ({h.description.ja}){' '}
                  <button type="submit" name="action" value="remove">
                    Lift {h.code}
                  </button>
                </form>
              ))}
        </dd>
      </dl>
      <form method="post" action="/_dev/registrar/status" class="card">
        <CsrfField />
        <Student university={p.university} user={p.user} />
        <p>
          <label for="status">Status</label>
          <select id="status" name="status">
            {REGISTRAR_STATUSES.map((s) => (
              <option value={s} selected={r.status === s}>
                {s} ({STATUS_JA[s]})
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="on">Graduated on / leave until (YYYY-MM-DD; for 卒業 and 休学)</label>
          <input id="on" name="on" placeholder="2027-03-20" />
        </p>
        <button type="submit">Change status</button>
      </form>
      <form method="post" action="/_dev/registrar/hold" class="inline">
        <CsrfField />
        <Student university={p.university} user={p.user} />
        <label for="hold">Hold</label>{' '}
        <select id="hold" name="code">
          {REGISTRAR_HOLDS.map((h) => (
            <option value={h}>{h}</option>
          ))}
        </select>{' '}
        <button type="submit" name="action" value="add">
          Add hold
        </button>
      </form>
      <details>
        <summary>The whole record as the registrar answers it</summary>
        <pre class="mono">{JSON.stringify(r, null, 2)}</pre>
      </details>
    </section>
  )
}

const MaintenanceForm = ({ m }: { m: TwinMaintenance }) => (
  <>
    <p data-maintenance-active={m.active ? 'true' : 'false'}>
      {m.active
        ? `Closed for maintenance now, until ${m.active.end}.`
        : 'Open now (no maintenance window).'}{' '}
      Nightly window: {m.daily ? `${m.daily.from}–${m.daily.to} JST` : 'off'}.
      {m.windows.length > 0 &&
        ` One-off windows: ${m.windows.map((w) => `${w.start} – ${w.end}`).join(', ')}.`}
    </p>
    <form method="post" action="/_dev/registrar/maintenance" class="card">
      <CsrfField />
      <p>
        <label for="from">Nightly from (HH:MM JST)</label>
        <input
          id="from"
          name="from"
          value={m.daily?.from ?? ''}
          placeholder="01:00"
          size={5}
        />{' '}
        <label for="to">to</label>
        <input id="to" name="to" value={m.daily?.to ?? ''} placeholder="01:30" size={5} />
      </p>
      <button type="submit" name="action" value="daily">
        Set the nightly window
      </button>{' '}
      <button type="submit" name="action" value="off">
        Turn the nightly window off
      </button>{' '}
      <button type="submit" name="action" value="now">
        Close for 30 minutes from now
      </button>{' '}
      <button type="submit" name="action" value="clear">
        Clear one-off windows
      </button>
    </form>
  </>
)

const FaultForm = ({ fault }: { fault: RegistrarFault }) => (
  <form method="post" action="/_dev/registrar/fault" class="card">
    <CsrfField />
    <p>
      <label for="mode">Mode</label>
      <select id="mode" name="mode">
        {REGISTRAR_FAULT_MODES.map((m) => (
          <option value={m} selected={fault.mode === m}>
            {m}
          </option>
        ))}
      </select>
    </p>
    <p>
      <label for="rate">Chance per call (0–1)</label>
      <input id="rate" name="rate" value={String(fault.rate)} inputmode="decimal" />
    </p>
    <p>
      <label for="remaining">For the next N calls (empty: until switched off)</label>
      <input
        id="remaining"
        name="remaining"
        value={fault.remaining === null ? '' : String(fault.remaining)}
        inputmode="numeric"
      />
    </p>
    <p>
      <label for="fault_student">Only for student (e.g. demo:demo0001; empty: every call)</label>
      <input id="fault_student" name="student" value={fault.student ?? ''} />
    </p>
    <p>
      <label for="delay_ms">Delay for timeout / slow / lose-response (ms)</label>
      <input id="delay_ms" name="delay_ms" value={String(fault.delayMs)} inputmode="numeric" />
    </p>
    <button type="submit">Switch</button>
  </form>
)

/**
 * Development only: the registrar twin. Look up a student's record, change it as the
 * registrar's office would (status, holds), switch the maintenance window and faults, and
 * read the ledger of issuances.
 */
export const DevRegistrarPage = (p: {
  university: string
  user: string
  record: TwinRecord | null
  maintenance: TwinMaintenance | null
  fault: RegistrarFault | null
  clock: { offsetMs: number; now: number } | null
  issuances: TwinIssuance[] | null
  problems: string[]
  notice?: Notice
}) => (
  <>
    <Messages problems={p.problems} notice={p.notice} />
    <p>
      Registrar twin (学務システム): students demo0001–demo1000 of demo and demo2s001 of demo2; the
      special ones are listed in twins/registrar/README.md. <a href="/_dev/registrar">Reload</a>
    </p>
    {p.clock && (
      <p>
        Twin time (JST):{' '}
        <strong id="registrar-time">
          <TwinTime clock={p.clock} />
        </strong>{' '}
        (<a href="/_dev/clock">clocks</a>)
      </p>
    )}
    <h2>Student</h2>
    <form method="get" action="/_dev/registrar" class="card">
      <p>
        <label for="university">University</label>
        <input id="university" name="university" value={p.university} size={8} />{' '}
        <label for="user">User</label>
        <input id="user" name="user" value={p.user} placeholder="demo0994" size={12} />
      </p>
      <button type="submit">Look up</button>
    </form>
    {p.record && <RecordCard university={p.university} user={p.user} record={p.record} />}
    <h2>Maintenance</h2>
    {p.maintenance === null ? <Unavailable /> : <MaintenanceForm m={p.maintenance} />}
    <h2>Fault</h2>
    {p.fault === null ? <Unavailable /> : <FaultForm fault={p.fault} />}
    <h2>Ledger (証明書発行台帳)</h2>
    {p.issuances === null ? (
      <Unavailable />
    ) : p.issuances.length === 0 ? (
      <p>Nothing issued yet.</p>
    ) : (
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Issued</th>
              <th scope="col">Student</th>
              <th scope="col">Certificate</th>
              <th scope="col">Language</th>
              <th scope="col">Copies</th>
              <th scope="col">Issuance / key</th>
            </tr>
          </thead>
          <tbody>
            {p.issuances.map((i) => (
              <tr data-issuance={i.issuanceId}>
                <td>{formatJstDateTime(Date.parse(i.issuedAt))}</td>
                <td class="mono">
                  <a
                    href={`/_dev/registrar?university=${encodeURIComponent(i.university)}&user=${encodeURIComponent(i.userId)}`}
                  >
                    {i.university}:{i.userId}
                  </a>
                </td>
                <td>{i.certificate}</td>
                <td>{i.language}</td>
                <td>{i.copies}</td>
                <td class="mono">
                  {i.issuanceId} / {i.idempotencyKey}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
    <h2>Reset</h2>
    <form method="post" action="/_dev/registrar/reset" class="card">
      <CsrfField />
      <p>Back to the seed: changed records, the ledger, faults and maintenance changes go.</p>
      <button type="submit">Reset the registrar twin</button>
    </form>
  </>
)
