import type { Balance } from '../../schemas/objects.js'
import { formatCount } from '../format.js'

/** The widths (out of 1,000) of a balance bar's parts. */
export interface BalanceSegments {
  used: number
  reserved: number
  remaining: number
  overage: number
}

/**
 * Splits a balance into bar segments: used and reserved within the grant, what remains, and
 * overage (used past the grant) beyond it. The bar spans the larger of the grant and what is
 * used plus held, so overage shows as a part past the grant's end.
 */
export function balanceSegments(balance: Balance): BalanceSegments {
  const granted = balance.granted_units
  const used = balance.used_units
  const reserved = balance.reserved_units
  const span = Math.max(granted, used + reserved, 1)
  // The parts add up to the span: used within the grant, every hold, what is left of the
  // grant, and usage past it.
  const usedInGrant = Math.min(used, granted)
  const remaining = Math.max(0, granted - usedInGrant - reserved)
  const overage = Math.max(0, used - granted)
  const scale = (value: number) => (value / span) * 1000
  return {
    used: scale(usedInGrant),
    reserved: scale(reserved),
    remaining: scale(remaining),
    overage: scale(overage),
  }
}

/** A customer's balance: granted, used, reserved, remaining and any overage, as a bar. */
export function BalanceBar(props: { balance: Balance; big?: boolean }) {
  const { balance } = props
  const figures = (
    <div class="balance-figures">
      <span>
        Used <strong>{formatCount(balance.used_units)}</strong>
      </span>
      <span>
        Reserved <strong>{formatCount(balance.reserved_units)}</strong>
      </span>
      <span>
        Remaining{' '}
        <strong>{balance.unlimited ? 'unlimited' : formatCount(balance.remaining_units)}</strong>
      </span>
      <span>
        Granted <strong>{balance.unlimited ? '∞' : formatCount(balance.granted_units)}</strong>
      </span>
      {balance.overage_units > 0 ? (
        <span class="badge badge-danger">Overage {formatCount(balance.overage_units)}</span>
      ) : null}
    </div>
  )
  if (balance.unlimited) {
    return (
      <div class={props.big === true ? 'balance balance-big' : 'balance'}>
        <svg viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" aria-label="Unlimited">
          <rect x="0" y="0" width="1000" height="10" class="s-track" />
        </svg>
        {figures}
      </div>
    )
  }
  const parts = balanceSegments(balance)
  let x = 0
  const segment = (width: number, className: string, title: string) => {
    const rect =
      width > 0 ? (
        <rect x={x.toFixed(2)} y="0" width={width.toFixed(2)} height="10" class={className}>
          <title>{title}</title>
        </rect>
      ) : null
    x += width
    return rect
  }
  const label =
    `${formatCount(balance.used_units)} used, ${formatCount(balance.reserved_units)} reserved, ` +
    `${formatCount(balance.remaining_units)} remaining of ${formatCount(balance.granted_units)}` +
    (balance.overage_units > 0 ? `, ${formatCount(balance.overage_units)} overage` : '')
  return (
    <div class={props.big === true ? 'balance balance-big' : 'balance'}>
      <svg viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" aria-label={label}>
        {segment(
          parts.used,
          's-used',
          `Used ${formatCount(Math.min(balance.used_units, balance.granted_units))}`,
        )}
        {segment(parts.reserved, 's-reserved', `Reserved ${formatCount(balance.reserved_units)}`)}
        {segment(parts.remaining, 's-track', `Remaining ${formatCount(balance.remaining_units)}`)}
        {segment(parts.overage, 's-overage', `Overage ${formatCount(balance.overage_units)}`)}
      </svg>
      {figures}
    </div>
  )
}
