import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/** The console's members pages. */
export const members = new Hono<AppEnv>()
