import { checkKnownKeys, checkOptionalIdentifier, checkOptionalIntegerInRange } from '../validate'

/** One page of a list. Pass the last item's id as `startingAfter` to get the next. */
export interface Page<T> {
  data: T[]
  /** Whether there are more items after this page. */
  hasMore: boolean
}

/** Cursor pagination options. */
export interface ListParams {
  /**
   * How many items per page (1–200).
   * @default 50
   */
  limit?: number
  /** The id of the last item of the previous page. */
  startingAfter?: string
}

/** A list as the server sends it. */
export interface ListWire<W> {
  object?: 'list'
  data: W[]
  has_more: boolean
}

/** Maps a wire list with `map` applied to each item. */
export function toPage<W, T>(wire: ListWire<W>, map: (item: W) => T): Page<T> {
  return { data: wire.data.map(map), hasMore: wire.has_more }
}

/** Checks the pagination options (and `extraKeys`) and returns the `limit`/`starting_after` query. */
export function listQuery(
  params: Record<string, unknown>,
  extraKeys: readonly string[],
  what: string,
): { limit: number | undefined; starting_after: string | undefined } {
  checkKnownKeys(params, ['limit', 'startingAfter', ...extraKeys], what)
  return {
    limit: checkOptionalIntegerInRange('limit', params.limit, 1, 200),
    starting_after: checkOptionalIdentifier('startingAfter', params.startingAfter),
  }
}
