import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/** The console's settings pages. */
export const settings = new Hono<AppEnv>()
