import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/** The console's audit pages. */
export const audit = new Hono<AppEnv>()
