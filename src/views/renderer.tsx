import type { Context, Env, MiddlewareHandler } from 'hono'
import type { FC, PropsWithChildren } from 'hono/jsx'
import type { AppEnv } from '../context'

/**
 * The pages' frame, as hono's jsxRenderer gave it, without the client-side renderer and the
 * streaming that module brings into the script (about 6 KiB gzip of 200; issue 20's guard
 * rail). `c.render(page, { title })` renders the page inside the layout as a whole document.
 *
 * The request being rendered is what `useRequestContext` answers. Turning JSX into HTML is
 * synchronous when no component is async (none of ours is: every page reads its data first),
 * so one variable holds it while the page renders; a page that rendered asynchronously would
 * let another request's render in, and is refused loudly rather than mixed up.
 */
let rendering: Context | null = null

export const useRequestContext = <E extends Env = AppEnv>(): Context<E> => {
  if (!rendering) throw new Error('useRequestContext() outside a page being rendered')
  return rendering as Context<E>
}

type PageProps = { title: string; refreshSeconds?: number }

export const pageRenderer =
  (Layout: FC<PropsWithChildren<PageProps>>): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    c.setRenderer((content, props) => {
      const outer = rendering
      rendering = c
      try {
        const html = (<Layout {...props}>{content}</Layout>).toString()
        if (typeof html !== 'string')
          throw new Error(`a page rendered asynchronously: ${c.req.path}`)
        return c.html(`<!DOCTYPE html>${html}`)
      } finally {
        rendering = outer
      }
    })
    await next()
  }
