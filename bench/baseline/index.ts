// The benchmark's baseline: a worker that does nothing but answer with a fixed response,
// served by `wrangler dev` exactly like the service, so each figure of the service can be
// given as a ratio to what the same runtime, on the same machine, in the same run, does.
const PAGE =
  '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>baseline</title></head><body><main><h1>baseline</h1></main></body></html>'

export default {
  fetch(request: Request): Response {
    if (request.method === 'POST') return Response.json({ received: true })
    return new Response(PAGE, { headers: { 'content-type': 'text/html; charset=utf-8' } })
  },
}
