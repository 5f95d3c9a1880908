/**
 * The dashboard's only script, served from `/assets/` (the CSP allows no inline script). Every
 * page works without it; it adds copy buttons and refreshes the live pages. It never builds
 * HTML from strings: a refresh swaps in the server's own (escaped) `<main>` parsed by
 * DOMParser, which runs no script.
 */
export const dashboardScript = `'use strict'
;(() => {
  const copyText = async (text) => {
    try {
      await navigator.clipboard.writeText(text)
      return true
    } catch {
      // Not a secure context, or no permission: fall back to a selection and execCommand.
    }
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.className = 'offscreen'
    document.body.append(area)
    area.select()
    let copied = false
    try {
      copied = document.execCommand('copy')
    } catch {
      copied = false
    }
    area.remove()
    return copied
  }

  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null
    if (button === null) return
    const source = document.getElementById(button.getAttribute('data-copy'))
    if (source === null) return
    const label = button.getAttribute('data-label') ?? button.textContent
    button.setAttribute('data-label', label)
    const copied = await copyText(source.textContent ?? '')
    button.textContent = copied ? 'Copied' : 'Select and copy'
    button.classList.toggle('copied', copied)
    setTimeout(() => {
      button.textContent = label
      button.classList.remove('copied')
    }, 1600)
  })

  const live = document.querySelector('main[data-refresh]')
  const seconds = live === null ? 0 : Number(live.getAttribute('data-refresh'))
  if (seconds > 0) {
    let busy = false
    const refresh = async () => {
      if (busy || document.visibilityState !== 'visible') return
      // Never pull the page from under someone typing or confirming.
      const active = document.activeElement
      if (active !== null && active.closest('form') !== null) return
      if (document.querySelector('main details[open]') !== null) return
      busy = true
      try {
        const response = await fetch(location.href, {
          credentials: 'same-origin',
          headers: { 'x-agentbill-refresh': '1' },
        })
        if (response.redirected) {
          location.reload()
          return
        }
        if (!response.ok) return
        const page = new DOMParser().parseFromString(await response.text(), 'text/html')
        const fresh = page.querySelector('main[data-refresh]')
        const current = document.querySelector('main[data-refresh]')
        if (fresh !== null && current !== null) current.replaceWith(document.adoptNode(fresh))
      } catch {
        // Offline for a moment: the next tick tries again.
      } finally {
        busy = false
      }
    }
    setInterval(refresh, seconds * 1000)
  }
})()
`
