/**
 * A value to copy (a key shown once, the base URL): selectable text and a button the script
 * wires to the clipboard. Without the script the text still selects in one click.
 */
export function CopyField(props: { id: string; value: string; label: string }) {
  return (
    <div class="secret">
      <code id={props.id}>{props.value}</code>
      <button class="button" type="button" data-copy={props.id} aria-label={props.label}>
        Copy
      </button>
    </div>
  )
}

/** A code block with a title and a copy button. */
export function CodeSnippet(props: { id: string; title: string; code: string }) {
  return (
    <div class="snippet">
      <div class="snippet-head">
        <h3>{props.title}</h3>
        <button
          class="button button-small"
          type="button"
          data-copy={props.id}
          aria-label={`Copy: ${props.title}`}
        >
          Copy
        </button>
      </div>
      <pre class="code">
        <code id={props.id}>{props.code}</code>
      </pre>
    </div>
  )
}
