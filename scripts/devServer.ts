// Starts `wrangler dev` the way `npm start` does, on local state of its own, for the
// browser tests and the benchmark; reads the CPU time its processes have used.
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'inherit' })

/** Fresh local state: .dev.vars, the migrations and the demo seed. */
export const prepareState = (state: string) => {
  run('bash', ['scripts/dev-vars.sh'])
  rmSync(state, { recursive: true, force: true })
  run('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', `--persist-to=${state}`])
  run('node', ['scripts/seed.ts', `--persist-to=${state}`])
}

export interface DevServer {
  base: string
  /** user + system CPU seconds used so far by every process of this server. */
  cpuSeconds(): number
  log(): string
  stop(): void
}

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

const groupCpuSeconds = (group: number) => {
  let ticks = 0
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue // it ended meanwhile
    }
    // Fields after the command name, which may itself hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(f[2]) === group) ticks += Number(f[11]) + Number(f[12])
  }
  return ticks / TICKS_PER_SECOND
}

export const startDevServer = async (opts: {
  port: number
  state: string
  config?: string
}): Promise<DevServer> => {
  const args = ['dev', '--port', String(opts.port), `--persist-to=${opts.state}`]
  if (opts.config) args.push('--config', opts.config)
  else args.push('--test-scheduled')
  // Its own process group, so that the CPU count and the stop reach workerd too.
  const server = spawn('wrangler', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let log = ''
  server.stdout.on('data', (d) => (log += d))
  server.stderr.on('data', (d) => (log += d))
  const stop = () => {
    try {
      process.kill(-server.pid!, 'SIGTERM')
    } catch {}
  }
  process.on('exit', stop)
  const base = `http://localhost:${opts.port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    try {
      const res = await fetch(`${base}/login`)
      await res.arrayBuffer()
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline || server.exitCode !== null) {
      stop()
      throw new Error(`wrangler dev did not come up on ${base}\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  return { base, cpuSeconds: () => groupCpuSeconds(server.pid!), log: () => log, stop }
}
