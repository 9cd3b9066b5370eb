/**
 * Where a `next` parameter may send the browser: a path on this origin, nothing else.
 *
 * The value is parsed as the browser will parse the Location it ends up in (WHATWG URL,
 * against the request's origin), so whatever the browser would drop or fold (tabs and
 * newlines, backslashes, `/./` segments, percent-encoding) is dropped or folded here
 * first, and the answer is the serialised path, query and fragment of that parse: printable
 * ASCII, no control character can reach the header. Anything that leaves the origin, does
 * not parse, or serialises to a path a browser would read as a host (`//…`) goes to `/`.
 */
export const sameOriginPath = (next: string | undefined, origin: string): string => {
  if (!next) return '/'
  let home: URL
  let target: URL
  try {
    home = new URL(origin)
    target = new URL(next, `${home.origin}/`)
  } catch {
    return '/'
  }
  if (target.origin !== home.origin) return '/'
  // Credentials are never passed on; the rest of the serialisation after the origin is
  // the path, query and fragment, an empty `?` or `#` included.
  target.username = ''
  target.password = ''
  const path = target.href.slice(target.origin.length)
  // "/.//evil.example" parses to the path "//evil.example": as a Location, another host.
  if (!path.startsWith('/') || path.startsWith('//')) return '/'
  return path
}
