/** A headline figure: a label, the value, and an optional note under it. */
export function StatCard(props: { label: string; value: string; note?: string }) {
  return (
    <div class="card" data-card={props.label}>
      <div class="label">{props.label}</div>
      <div class="value">{props.value}</div>
      {props.note === undefined ? null : <div class="note">{props.note}</div>}
    </div>
  )
}
