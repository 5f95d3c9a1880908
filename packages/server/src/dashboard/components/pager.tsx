import { href, type LinkQuery } from '../links.js'

/**
 * Cursor pagination as the API does it (`starting_after`): back to the first page, and on to
 * the next one after the last item shown.
 */
export function Pager(props: {
  path: string
  query: LinkQuery
  /** The cursor of the next page; `null` on the last page. */
  next: string | null
  /** Whether this is not the first page. */
  paged: boolean
}) {
  if (props.next === null && !props.paged) return null
  return (
    <div class="pager">
      {props.paged ? (
        <a
          class="button button-small"
          href={href(props.path, { ...props.query, after: undefined })}
        >
          First page
        </a>
      ) : null}
      {props.next === null ? null : (
        <a
          class="button button-small"
          href={href(props.path, { ...props.query, after: props.next })}
        >
          Next page
        </a>
      )}
    </div>
  )
}
