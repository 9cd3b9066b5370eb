import { Hono } from 'hono'
import type { AppEnv } from '../../context'
import { csrfProtection } from '../../middleware/csrf'
import { consoleLanguage, loadStaff, requireStaff } from '../../middleware/staff'
import { consoleLayout } from '../../views/staff/layout'
import { applications } from './applications'
import { audit } from './audit'
import { certificates } from './certificates'
import { certificateSettings } from './certificateSettings'
import { staffAuth } from './auth'
import { events } from './events'
import { members } from './members'
import { reconcile } from './reconcile'
import { roster, rosterUploadLimit } from './roster'
import { rosterSync } from './rosterSync'
import { search } from './search'
import { settings } from './settings'
import { students } from './students'
import { triage } from './triage'
import { universities } from './universities'

/**
 * The operations console (/staff): its own layout, session and sign-in; the same CSRF
 * protection and headers as the student side. Each area is a sub-app of its own that
 * checks the role of every route and action (requireStaff) and the university of every
 * row it reads (domain/staff seesUniversity / universityScope).
 */
export const staffConsole = new Hono<AppEnv>()

staffConsole.use(consoleLanguage())
staffConsole.use(consoleLayout())
// Before the CSRF check, which reads the form: a roster larger than allowed is not read at all.
staffConsole.use('/roster', rosterUploadLimit())
staffConsole.use(csrfProtection())
staffConsole.use(loadStaff())

staffConsole.route('/', staffAuth)
// The operator's pages: before the `read` check, which the operator does not pass.
staffConsole.route('/', universities)
staffConsole.use('*', requireStaff('read'))
staffConsole.route('/', triage)
staffConsole.route('/', search)
staffConsole.route('/', applications)
staffConsole.route('/', students)
staffConsole.route('/', certificates)
staffConsole.route('/', reconcile)
staffConsole.route('/', settings)
staffConsole.route('/', certificateSettings)
staffConsole.route('/', members)
staffConsole.route('/', audit)
staffConsole.route('/', events)
staffConsole.route('/', roster)
staffConsole.route('/', rosterSync)
