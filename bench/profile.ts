// The worker's own CPU per request, from a V8 CPU profile of its isolate taken through the
// inspector `wrangler dev` exposes (--inspector-port): only the JavaScript of the worker
// and its garbage collection count, not workerd's HTTP, the local D1/KV/queue simulators
// (other processes and isolates) or wrangler's proxy. Node 22+ has WebSocket built in.

import { writeFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}
export interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** One DevTools protocol connection to the worker's isolate. */
export class Inspector {
  // Well clear of the ids wrangler's own inspector connection uses: the proxy may pass its
  // answers to every client.
  private next = 1_000_000 + Math.floor(Math.random() * 1_000_000)
  private waiting = new Map<number, (v: { result?: unknown; error?: unknown }) => void>()
  private readonly ws: WebSocket
  private constructor(ws: WebSocket) {
    this.ws = ws
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown }
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg)
    })
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{
      webSocketDebuggerUrl: string
      title?: string
    }>
    // wrangler's proxy lists the user worker's isolate (the service, not its internal workers).
    const target = targets[0]
    if (!target) throw new Error(`no inspector target on :${port}`)
    // The inspector proxy accepts local origins only; Node's WebSocket sends none unless told
    // (undici takes headers as an extension of the options).
    const ws = new WebSocket(target.webSocketDebuggerUrl, {
      headers: { origin: 'http://localhost' },
    } as unknown as string[])
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true })
      ws.addEventListener('error', reject, { once: true })
    })
    return new Inspector(ws)
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++
    this.ws.send(JSON.stringify({ id, method, params }))
    return new Promise((resolve, reject) =>
      this.waiting.set(id, (m) =>
        m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result as T),
      ),
    )
  }

  close() {
    this.ws.close()
  }
}

/**
 * Microseconds of samples spent in the worker's own code in a profile. Each sample is
 * attributed to its innermost frame that belongs to a script: the worker's bundle (its
 * `script` url) counts, with the built-ins it calls (URL, Headers …) and garbage
 * collection; the runtime's own JavaScript (`cloudflare-internal:` — the D1 and KV client
 * shims, tracing) and idle time do not.
 */
export const workerMicroseconds = (p: Profile, script: RegExp) => {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const owner = new Map<number, 'worker' | 'other'>()
  const ownerOf = (id: number): 'worker' | 'other' => {
    const known = owner.get(id)
    if (known) return known
    const node = byId.get(id)!
    const { functionName, url } = node.callFrame
    let result: 'worker' | 'other'
    if (functionName === '(garbage collector)') result = 'worker'
    else if (url) result = script.test(url) ? 'worker' : 'other'
    else {
      const up = parent.get(id)
      result = up === undefined ? 'other' : ownerOf(up)
    }
    owner.set(id, result)
    return result
  }
  let us = 0
  p.samples.forEach((node, i) => {
    if (ownerOf(node) === 'worker') us += p.timeDeltas[i] ?? 0
  })
  return us
}

/**
 * Runs `work` (which sends `requests` requests, one at a time) under the CPU profiler
 * (sampling every 100 µs) and returns the worker's own CPU per request in µs.
 */
export const profileCpu = async (
  inspectorPort: number,
  requests: number,
  work: () => Promise<void>,
  save?: string,
): Promise<number> => {
  const inspector = await Inspector.connect(inspectorPort)
  try {
    await inspector.send('Profiler.enable')
    await inspector.send('Profiler.setSamplingInterval', { interval: 100 })
    await inspector.send('Profiler.start')
    await work()
    const { profile } = await inspector.send<{ profile: Profile }>('Profiler.stop')
    // Kept for a closer look (Chromium's DevTools open .cpuprofile files).
    if (save) writeFileSync(save, JSON.stringify(profile))
    return workerMicroseconds(profile, WORKER_SCRIPT) / requests
  } finally {
    inspector.close()
  }
}

const WORKER_SCRIPT = /index(\.dev)?\.js$/

/**
 * Where a profile's worker time goes: self time per function (name and place in the
 * bundle), the largest first, in µs per request.
 */
export const selfTimes = (p: Profile, requests: number, top = 12) => {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)))
  const totals = new Map<string, number>()
  for (const [id, us] of self) {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame
    if (functionName === '(idle)' || functionName === '(program)') continue
    const where = url ? `${url.split('/').pop()}:${lineNumber + 1}:${columnNumber + 1}` : ''
    const key = `${functionName || '(anonymous)'} ${where}`.trim()
    totals.set(key, (totals.get(key) ?? 0) + us)
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, us: us / requests }))
}

/**
 * A startup profile's CPU (wrangler check startup): every sample but idle, in ms: parsing,
 * compiling and running the module's top level all count against the startup limit.
 */
export const startupMilliseconds = (p: Profile) => {
  const idle = new Set(
    p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id),
  )
  let us = 0
  p.samples.forEach((node, i) => {
    if (!idle.has(node)) us += p.timeDeltas[i] ?? 0
  })
  return us / 1000
}
