import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/** The console's applications pages. */
export const applications = new Hono<AppEnv>()
