import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/** The console's reconcile pages. */
export const reconcile = new Hono<AppEnv>()
