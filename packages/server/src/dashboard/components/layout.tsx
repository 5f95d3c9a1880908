import type { Child } from 'hono/jsx'
import { staticAssets } from '../assets/static-assets.js'

/** The sections of the navigation. */
export type Section =
  | 'overview'
  | 'customers'
  | 'agents'
  | 'events'
  | 'decisions'
  | 'keys'
  | 'webhooks'
  | 'settings'
  | 'quick-start'

const sections: { key: Section; label: string; path: string }[] = [
  { key: 'overview', label: 'Overview', path: '/' },
  { key: 'customers', label: 'Customers', path: '/customers' },
  { key: 'agents', label: 'Agents', path: '/agents' },
  { key: 'events', label: 'Events', path: '/events' },
  { key: 'decisions', label: 'Blocked', path: '/decisions' },
  { key: 'keys', label: 'Keys', path: '/keys' },
  { key: 'webhooks', label: 'Webhooks', path: '/webhooks' },
  { key: 'settings', label: 'Settings', path: '/settings' },
  { key: 'quick-start', label: 'Quick start', path: '/quick-start' },
]

/** The mark beside the name. */
export function Logo() {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" class="s0" />
      <path
        d="M8 21a8 8 0 1 1 16 0"
        fill="none"
        stroke="#fff"
        stroke-width="3"
        stroke-linecap="round"
      />
      <path d="M16 21l5-6" stroke="#c7d2fe" stroke-width="3" stroke-linecap="round" />
    </svg>
  )
}

/** The HTML document around every page: stylesheet, icon and the one deferred script. */
export function Document(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · AgentBill`}</title>
        <link rel="icon" href={staticAssets.favicon.path} type="image/svg+xml" />
        <link rel="stylesheet" href={staticAssets.styles.path} />
        <script src={staticAssets.script.path} defer />
      </head>
      <body>{props.children}</body>
    </html>
  )
}

/** The hidden field every state-changing form carries. */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />
}

/** What a signed-in page's frame needs. */
export interface FrameProps {
  title: string
  section: Section | null
  projectName: string
  csrf: string
  /** Seconds between live refreshes of `<main>`; 0 or absent: a page that does not refresh. */
  refreshSeconds?: number
  children: Child
}

/** A signed-in page: the top bar with the project and navigation, then the page's content. */
export function Frame(props: FrameProps) {
  const refresh = props.refreshSeconds ?? 0
  return (
    <Document title={props.title}>
      <header class="topbar">
        <div class="topbar-inner">
          <a class="brand" href="/">
            <Logo />
            <span>AgentBill</span>
          </a>
          <span class="project-name" title={props.projectName}>
            {props.projectName}
          </span>
          <nav class="nav" aria-label="Sections">
            {sections.map((section) => (
              <a
                href={section.path}
                aria-current={section.key === props.section ? 'page' : undefined}
              >
                {section.label}
              </a>
            ))}
          </nav>
          <form method="post" action="/sign-out">
            <CsrfField token={props.csrf} />
            <button class="link-button" type="submit">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main class="container" data-refresh={refresh > 0 ? String(refresh) : undefined}>
        {props.children}
      </main>
    </Document>
  )
}

/** A page title with an optional subtitle and actions on the right. */
export function PageHead(props: { title: string; sub?: Child; children?: Child }) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.sub === undefined ? null : <div class="sub">{props.sub}</div>}
      </div>
      {props.children === undefined ? null : <div class="actions">{props.children}</div>}
    </div>
  )
}

/** A success or error message at the top of a page. */
export function Flash(props: { kind: 'ok' | 'error'; children: Child }) {
  return (
    <div class={`flash flash-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  )
}
