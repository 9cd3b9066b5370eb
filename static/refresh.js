// Pages that wait for something (a payment's confirmation) stay current without reloading
// themselves: every few seconds this fetches the page again and puts its new content into
// the page's live region, which screen readers announce; once the page no longer waits,
// it stops. Without JavaScript the page's own reload link does the same.
;(() => {
  const live = document.querySelector('[data-refresh-every]')
  if (!live) return
  const every = Math.max(1, Number(live.getAttribute('data-refresh-every'))) * 1000
  const tick = async () => {
    try {
      const res = await fetch(location.href, { credentials: 'same-origin' })
      if (res.ok) {
        const next = new DOMParser().parseFromString(await res.text(), 'text/html')
        // Still waiting: the same region, perhaps changed. Done: the page's whole content.
        const fresh = next.getElementById(live.id) ?? next.querySelector('main')
        if (fresh && fresh.innerHTML !== live.innerHTML) {
          live.innerHTML = fresh.innerHTML
          document.title = next.title
        }
        if (!fresh || !fresh.hasAttribute('data-refresh-every')) {
          live.removeAttribute('data-refresh-every')
          return
        }
      }
    } catch {
      // Offline for a moment: try again at the next tick.
    }
    setTimeout(tick, every)
  }
  setTimeout(tick, every)
})()
