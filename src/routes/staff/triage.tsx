import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/** 要対応: the console's landing page. */
export const triage = new Hono<AppEnv>()

triage.get('/', (c) => c.render(<p>{c.get('ct')('none')}</p>, { title: c.get('ct')('navTriage') }))
