// Starts the service and its twins with `wrangler dev`, the way `npm start` does, on
// local state of their own, for `npm start`, the browser tests and the benchmark; reads the
// CPU time their processes have used.
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
  /** Variables for this run (`--var NAME:VALUE`), over wrangler.toml and .dev.vars. */
  vars?: Record<string, string>
  /** A path that answers 200 once the worker is up. */
  ready?: string
  /** Echo the server's output (npm start). */
  echo?: string
  /**
   * The service only: /__scheduled runs the cron (npm start). wrangler dev then wraps the
   * worker in a middleware that parses every request's URL; the benchmark turns it off.
   */
  testScheduled?: boolean
}): Promise<DevServer> => {
  // Each its own inspector port: several wrangler dev run side by side (service, twins).
  const args = [
    'dev',
    '--port',
    String(opts.port),
    '--inspector-port',
    String(opts.port + 10_000),
    `--persist-to=${opts.state}`,
  ]
  // The service runs its development entry (the production app plus /_dev).
  if (opts.config) args.push('--config', opts.config)
  else args.push('src/index.dev.ts', ...(opts.testScheduled === false ? [] : ['--test-scheduled']))
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push('--var', `${k}:${v}`)
  // Its own process group, so that the CPU count and the stop reach workerd too.
  const server = spawn('wrangler', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let log = ''
  const take = (d: Buffer) => {
    log += d
    if (opts.echo)
      process.stdout.write(
        String(d)
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => `[${opts.echo}] ${l}\n`)
          .join(''),
      )
  }
  server.stdout.on('data', take)
  server.stderr.on('data', take)
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
      const res = await fetch(`${base}${opts.ready ?? '/login'}`)
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

/** The local ports of one stack: the service and the twins it talks to. */
export interface StackPorts {
  service: number
  komoju: number
  mic: number
  /** The registrar twin; left out, the stack runs without it (every registrar call unavailable). */
  registrar?: number
}

export const DEV_PORTS: StackPorts = { service: 8787, komoju: 8790, mic: 8791, registrar: 8792 }

/**
 * The service with its two twins, each a `wrangler dev` of its own on its own port: the
 * service reaches them by URL exactly as it would reach KOMOJU and M.I.C., and the
 * student's browser is sent to the KOMOJU twin's origin to pay. The twins' webhook goes to
 * this stack's service port.
 */
export const startStack = async (opts: {
  ports: StackPorts
  state: string
  echo?: boolean
  testScheduled?: boolean
}): Promise<{
  service: DevServer
  komoju: DevServer
  mic: DevServer
  registrar: DevServer | null
  stop(): void
}> => {
  const { ports } = opts
  const local = (port: number) => `http://localhost:${port}`
  const merchants = [
    ['demo', 'localhost'],
    ['demo2', 'demo2.localhost'],
  ].map(([name, host]) => ({
    name,
    secretKey: `sk_test_${name}`,
    webhookSecret: `whsec_test_${name}`,
    webhookUrl: `http://${host}:${ports.service}/payments/komoju/webhook`,
  }))
  const [komoju, mic, registrar] = await Promise.all([
    startDevServer({
      port: ports.komoju,
      state: `${opts.state}/twin-komoju`,
      config: 'twins/komoju/wrangler.toml',
      vars: { MERCHANTS: JSON.stringify(merchants) },
      ready: '/_twin/clock',
      echo: opts.echo ? 'komoju' : undefined,
    }),
    startDevServer({
      port: ports.mic,
      state: `${opts.state}/twin-mic`,
      config: 'twins/mic/wrangler.toml',
      ready: '/_twin/clock',
      echo: opts.echo ? 'mic' : undefined,
    }),
    ports.registrar === undefined
      ? null
      : startDevServer({
          port: ports.registrar,
          state: `${opts.state}/twin-registrar`,
          config: 'twins/registrar/wrangler.toml',
          ready: '/_twin/clock',
          echo: opts.echo ? 'registrar' : undefined,
        }),
  ])
  const registrarVars: Record<string, string> =
    ports.registrar === undefined
      ? {}
      : {
          REGISTRAR_API_URL: local(ports.registrar),
          DEV_REGISTRAR_ADMIN_URL: local(ports.registrar),
        }
  const service = await startDevServer({
    port: ports.service,
    state: opts.state,
    vars: {
      KOMOJU_API_URL: local(ports.komoju),
      MIC_API_URL: local(ports.mic),
      DEV_KOMOJU_ADMIN_URL: local(ports.komoju),
      DEV_MIC_ADMIN_URL: local(ports.mic),
      ...registrarVars,
    },
    echo: opts.echo ? 'service' : undefined,
    testScheduled: opts.testScheduled,
  }).catch((e: unknown) => {
    komoju.stop()
    mic.stop()
    registrar?.stop()
    throw e
  })
  return {
    service,
    komoju,
    mic,
    registrar,
    stop() {
      service.stop()
      komoju.stop()
      mic.stop()
      registrar?.stop()
    },
  }
}
