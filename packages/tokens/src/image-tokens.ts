import type { ImageDetail } from './message-types'
import type { ImageRule } from './model-info'

/** Tokens an image costs, and whether that is the exact published figure or a worst case. */
export interface ImageTokens {
  tokens: number
  /** `false` when the size was unknown (the worst case was counted) or the rule is an approximation. */
  exact: boolean
}

const TILE = 512
const PATCH = 32
const MAX_PATCHES = 1536

/**
 * Tokens for one image under a model's rule (OpenAI's published "calculating costs" rules):
 *
 * - tiles (gpt-4o, 4.1, 5, o-series): low detail = `base`; high/auto = fit in 2048×2048, then
 *   scale the shortest side down to 768, `base + tile × ceil(w/512) × ceil(h/512)`.
 * - patches (gpt-4.1-mini/nano, gpt-5-mini/nano, o4-mini): `ceil(w/32) × ceil(h/32)` patches,
 *   scaled down to at most 1536, × the model's multiplier.
 * - area (Anthropic and other providers; an approximation): `w × h / 750`, at most 1600.
 *
 * Unknown size → the worst case for the rule and detail (8 tiles; 1536 patches; the area cap).
 * @param rule - the model's image rule (`resolveModel(model).imageRule`)
 * @param size - pixel size when known
 * @param detail - OpenAI detail level; `auto` is counted as `high`
 */
export function imageTokens(
  rule: ImageRule,
  size: { width: number; height: number } | undefined,
  detail: ImageDetail = 'auto',
): ImageTokens {
  if (rule.kind === 'tiles') {
    if (detail === 'low') return { tokens: rule.base, exact: true }
    if (size === undefined) return { tokens: rule.base + rule.tile * 8, exact: false }
    let { width, height } = size
    if (width > 2048 || height > 2048) {
      const scale = 2048 / Math.max(width, height)
      width = Math.floor(width * scale)
      height = Math.floor(height * scale)
    }
    const shortest = Math.min(width, height)
    if (shortest > 768) {
      const scale = 768 / shortest
      width = Math.floor(width * scale)
      height = Math.floor(height * scale)
    }
    const tiles = Math.ceil(width / TILE) * Math.ceil(height / TILE)
    return { tokens: rule.base + rule.tile * tiles, exact: true }
  }
  if (rule.kind === 'patches') {
    if (size === undefined)
      return { tokens: Math.ceil(MAX_PATCHES * rule.multiplier), exact: false }
    const { width, height } = size
    let patches = Math.ceil(width / PATCH) * Math.ceil(height / PATCH)
    if (patches > MAX_PATCHES) {
      let scale = Math.sqrt((PATCH * PATCH * MAX_PATCHES) / (width * height))
      const columns = (width * scale) / PATCH
      const rows = (height * scale) / PATCH
      scale *= Math.min(Math.floor(columns) / columns, Math.floor(rows) / rows)
      patches = Math.min(
        MAX_PATCHES,
        Math.ceil(Math.floor(width * scale) / PATCH) *
          Math.ceil(Math.floor(height * scale) / PATCH),
      )
    }
    return { tokens: Math.ceil(patches * rule.multiplier), exact: true }
  }
  if (size === undefined) return { tokens: rule.max, exact: false }
  return {
    tokens: Math.min(rule.max, Math.ceil((size.width * size.height) / rule.pixelsPerToken)),
    exact: false,
  }
}
