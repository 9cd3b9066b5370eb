import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/** The console's students pages. */
export const students = new Hono<AppEnv>()
