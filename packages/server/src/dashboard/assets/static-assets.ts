import { createHash } from 'node:crypto'
import { dashboardScript } from './dashboard-script.js'
import { dashboardStyles } from './dashboard-styles.js'
import { faviconSvg } from './favicon.js'

/** A file the dashboard serves from memory. */
export interface StaticAsset {
  path: string
  contentType: string
  body: string
  /** Content-addressed paths never change: cache them for a year. */
  immutable: boolean
}

function hashed(name: string, extension: string, body: string): string {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 12)
  return `/assets/${name}-${digest}.${extension}`
}

/**
 * Every file the dashboard needs, built into the package (no CDN, nothing fetched at run
 * time). Script and style paths carry a hash of their content, so a new version is never
 * served stale from a browser cache.
 */
export const staticAssets = {
  styles: {
    path: hashed('dashboard', 'css', dashboardStyles),
    contentType: 'text/css; charset=utf-8',
    body: dashboardStyles,
    immutable: true,
  },
  script: {
    path: hashed('dashboard', 'js', dashboardScript),
    contentType: 'text/javascript; charset=utf-8',
    body: dashboardScript,
    immutable: true,
  },
  favicon: {
    path: '/favicon.svg',
    contentType: 'image/svg+xml',
    body: faviconSvg,
    immutable: false,
  },
} satisfies Record<string, StaticAsset>
