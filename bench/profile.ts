// The worker's own CPU per request, from a V8 CPU profile of its isolate taken through the
// inspector `wrangler dev` exposes (--inspector-port): only the JavaScript of the worker
// and its garbage collection count, not workerd's HTTP, the local D1/KV/queue simulators
// (other processes and isolates) or wrangler's proxy. Node 22+ has WebSocket built in.

import { writeFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}
interface Profile {
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

/** The sampling interval asked of the profiler (µs). */
const SAMPLING_US = 100
/**
 * What one sample can stand for. While JavaScript runs, V8 samples every ~150 µs here; while
 * the isolate waits (between requests, on D1), it takes none, and the first sample after the
 * wait carries the whole gap (up to 170 ms) as its time delta. Summed as they are, those gaps
 * went to whichever frame the sample hit: the baseline, which only answers, seemed to spend
 * 1.6 ms a request. Each sample counts for at most twice the interval asked for: never less
 * than the CPU it stands for, so the figure can only err high.
 */
const MAX_SAMPLE_US = 2 * SAMPLING_US

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
    if (ownerOf(node) === 'worker') us += Math.min(p.timeDeltas[i] ?? 0, MAX_SAMPLE_US)
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
    await inspector.send('Profiler.setSamplingInterval', { interval: SAMPLING_US })
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
 * A startup profile's CPU (wrangler check startup): every sample but idle, in ms: parsing,
 * compiling and running the module's top level all count against the startup limit. As in
 * a request's profile, a sample after a wait carries the wait (the first is often 13 ms of
 * "(program)" while workerd sets up): each counts for at most twice the profile's own
 * interval (its median time delta; `check startup` samples every ~1 ms).
 */
export const startupMilliseconds = (p: Profile) => {
  const idle = new Set(
    p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id),
  )
  const deltas = [...p.timeDeltas].sort((a, b) => a - b)
  const cap = 2 * (deltas[Math.floor(deltas.length / 2)] ?? 0)
  let us = 0
  p.samples.forEach((node, i) => {
    if (!idle.has(node)) us += Math.min(p.timeDeltas[i] ?? 0, cap)
  })
  return us / 1000
}
