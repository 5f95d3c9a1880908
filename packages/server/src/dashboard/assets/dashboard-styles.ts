/**
 * The dashboard's one stylesheet, served from `/assets/` (the CSP allows no inline style).
 * System fonts only: nothing to download, and no font file to serve.
 */
export const dashboardStyles = `
:root {
  color-scheme: light dark;
  --bg: #f6f6f8; --surface: #ffffff; --surface-2: #f1f1f4; --border: #e3e3e8;
  --text: #17171c; --muted: #6b6b76; --accent: #4f46e5; --accent-text: #ffffff;
  --accent-soft: #eef0ff; --danger: #d92d20; --danger-soft: #fdecea; --ok: #12805c;
  --ok-soft: #e6f6ef; --warn: #b54708; --warn-soft: #fef4e6; --track: #ececf1;
  --used: #4f46e5; --reserved: #a5b4fc; --overage: #d92d20;
  --s0: #6366f1; --s1: #14b8a6; --s2: #f59e0b; --s3: #ec4899; --s4: #0ea5e9; --s5: #8b5cf6;
  --s6: #84cc16; --s7: #f97316; --s-other: #a1a1aa;
  --radius: 10px; --shadow: 0 1px 2px rgb(16 16 24 / 6%);
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0c0c10; --surface: #15151b; --surface-2: #1c1c24; --border: #2a2a35;
    --text: #ececf1; --muted: #a0a0ad; --accent: #818cf8; --accent-text: #0c0c10;
    --accent-soft: #1f2140; --danger: #f97066; --danger-soft: #3a1714; --ok: #47cd89;
    --ok-soft: #0f2c20; --warn: #fdb022; --warn-soft: #33230b; --track: #262631;
    --used: #818cf8; --reserved: #3f4690; --overage: #f97066;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.5 var(--font); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
h1 { font-size: 22px; margin: 0; letter-spacing: -0.01em; }
h2 { font-size: 15px; margin: 0 0 12px; }
h3 { font-size: 13px; margin: 0 0 8px; color: var(--muted); font-weight: 600; }
p { margin: 0 0 12px; }
.muted { color: var(--muted); }
.offscreen { position: absolute; left: -9999px; top: 0; }

.topbar { background: var(--surface); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 10; }
.topbar-inner { max-width: 1200px; margin: 0 auto; padding: 0 20px; display: flex; align-items: center; gap: 16px; min-height: 56px; }
.brand { display: flex; align-items: center; gap: 8px; font-weight: 700; color: var(--text); white-space: nowrap; }
.brand:hover { text-decoration: none; }
.brand svg { width: 22px; height: 22px; }
.project-name { color: var(--muted); font-weight: 500; max-width: 220px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.nav { display: flex; gap: 2px; overflow-x: auto; scrollbar-width: none; flex: 1; }
.nav::-webkit-scrollbar { display: none; }
.nav a { color: var(--muted); padding: 6px 10px; border-radius: 6px; white-space: nowrap; font-weight: 500; }
.nav a:hover { color: var(--text); background: var(--surface-2); text-decoration: none; }
.nav a[aria-current="page"] { color: var(--text); background: var(--surface-2); }
.topbar form { margin: 0; }

.container { max-width: 1200px; margin: 0 auto; padding: 24px 20px 64px; }
.page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 12px; margin-bottom: 20px; }
.page-head .sub { color: var(--muted); margin-top: 2px; word-break: break-all; }
.updated { color: var(--muted); font-size: 12px; }

.grid { display: grid; gap: 16px; margin-bottom: 16px; }
.grid > .panel { margin-bottom: 0; }
.grid-2 { grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); }
.cards { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); margin-bottom: 16px; }
.card, .panel { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); }
.card { padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 4px; font-variant-numeric: tabular-nums; }
.card .note { color: var(--muted); font-size: 12px; }
.panel { padding: 16px; margin-bottom: 16px; min-width: 0; }
.panel-head { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; }
.panel-head h2 { margin: 0; }

.table-scroll { overflow-x: auto; margin: 0 -16px; padding: 0 16px; }
table.data { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.data th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; padding: 8px 10px; border-bottom: 1px solid var(--border); white-space: nowrap; }
table.data td { padding: 9px 10px; border-bottom: 1px solid var(--border); vertical-align: middle; }
table.data tr:last-child td { border-bottom: 0; }
table.data td.num, table.data th.num { text-align: right; white-space: nowrap; }
table.data td.id { max-width: 260px; min-width: 7em; overflow-wrap: anywhere; }
table.data td.meta { max-width: 280px; color: var(--muted); overflow-wrap: anywhere; font-family: var(--mono); font-size: 12px; }
table.data td.nowrap { white-space: nowrap; }
.empty { color: var(--muted); padding: 20px 0; text-align: center; }

.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; background: var(--surface-2); color: var(--muted); }
.badge-ok { background: var(--ok-soft); color: var(--ok); }
.badge-danger { background: var(--danger-soft); color: var(--danger); }
.badge-warn { background: var(--warn-soft); color: var(--warn); }
.badge-accent { background: var(--accent-soft); color: var(--accent); }

.button { display: inline-flex; align-items: center; justify-content: center; gap: 6px; border: 1px solid var(--border); background: var(--surface); color: var(--text); border-radius: 8px; padding: 7px 14px; font: inherit; font-weight: 600; cursor: pointer; white-space: nowrap; }
.button:hover { background: var(--surface-2); text-decoration: none; }
.button-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
.button-primary:hover { background: var(--accent); filter: brightness(1.08); }
.button-danger { color: var(--danger); }
.button-danger-solid { background: var(--danger); border-color: var(--danger); color: #fff; }
.button-small { padding: 3px 10px; font-size: 12.5px; }
.button.copied { color: var(--ok); border-color: var(--ok); }
.link-button { background: none; border: 0; padding: 0; color: var(--muted); font: inherit; cursor: pointer; }
.link-button:hover { color: var(--text); }

form.stack { display: grid; gap: 12px; }
.fields { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 180px), 1fr)); align-items: end; }
label.field { display: grid; gap: 4px; font-size: 12.5px; font-weight: 600; color: var(--muted); }
label.check { display: flex; gap: 8px; align-items: center; font-weight: 500; color: var(--text); }
input[type="text"], input[type="password"], input[type="email"], input[type="date"], input[type="search"], input[type="number"], select {
  width: 100%; font: inherit; font-size: 14px; color: var(--text); background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 7px 10px; min-height: 36px; }
input:focus, select:focus, .button:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
input[aria-invalid="true"] { border-color: var(--danger); }
.field-error { color: var(--danger); font-weight: 500; }
.hint { color: var(--muted); font-size: 12px; font-weight: 400; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }

.flash { border-radius: 8px; padding: 10px 14px; margin-bottom: 16px; border: 1px solid var(--border); background: var(--surface); }
.flash-ok { border-color: var(--ok); background: var(--ok-soft); color: var(--ok); }
.flash-error { border-color: var(--danger); background: var(--danger-soft); color: var(--danger); }

.secret-box { border: 1px solid var(--accent); background: var(--accent-soft); border-radius: var(--radius); padding: 16px; margin-bottom: 16px; }
.secret { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.secret code { flex: 1; min-width: 0; background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 8px 10px; overflow-wrap: anywhere; user-select: all; font-size: 13px; }

pre.code { margin: 0; background: var(--surface-2); border: 1px solid var(--border); border-radius: 8px; padding: 12px 14px; overflow-x: auto; line-height: 1.55; }
.snippet { position: relative; margin-bottom: 14px; }
.snippet .snippet-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; margin-bottom: 6px; }

.range { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.segmented { display: inline-flex; border: 1px solid var(--border); border-radius: 8px; overflow: hidden; background: var(--surface); }
.segmented a { padding: 5px 12px; color: var(--muted); font-weight: 600; border-right: 1px solid var(--border); }
.segmented a:last-child { border-right: 0; }
.segmented a:hover { text-decoration: none; color: var(--text); }
.segmented a[aria-current="true"] { background: var(--accent-soft); color: var(--accent); }
.range form { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.range input[type="date"] { width: auto; min-height: 32px; padding: 4px 8px; }

.chart-scroll { overflow-x: auto; }
svg.chart { display: block; width: 100%; height: auto; font-family: var(--font); }
svg.chart-narrow { display: none; }
.chart-scroll svg.chart { min-width: 560px; }
svg.chart .grid-line { stroke: var(--border); stroke-width: 1; }
svg.chart .axis-label { fill: var(--muted); font-size: 11px; }
svg.chart .ceiling-line { stroke: var(--danger); stroke-width: 1.5; stroke-dasharray: 5 4; }
svg.chart .ceiling-label { fill: var(--danger); font-size: 11px; font-weight: 600; }
svg.chart rect:hover { opacity: 0.8; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 8px; font-size: 12.5px; }
.legend li { display: flex; align-items: center; gap: 6px; min-width: 0; overflow-wrap: anywhere; }
.legend ul, ul.legend { list-style: none; padding: 0; margin: 8px 0 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; flex: none; }
.s0 { fill: var(--s0); background: var(--s0); } .s1 { fill: var(--s1); background: var(--s1); }
.s2 { fill: var(--s2); background: var(--s2); } .s3 { fill: var(--s3); background: var(--s3); }
.s4 { fill: var(--s4); background: var(--s4); } .s5 { fill: var(--s5); background: var(--s5); }
.s6 { fill: var(--s6); background: var(--s6); } .s7 { fill: var(--s7); background: var(--s7); }
.s-other { fill: var(--s-other); background: var(--s-other); }
.s-budget { fill: var(--danger); background: var(--danger); }
.s-ceiling { fill: var(--s2); background: var(--s2); }
.s-used { fill: var(--used); background: var(--used); }
.s-reserved { fill: var(--reserved); background: var(--reserved); }
.s-overage { fill: var(--overage); background: var(--overage); }
.s-track { fill: var(--track); background: var(--track); }
.s-blocked { fill: none; stroke: var(--danger); stroke-width: 1.5; stroke-dasharray: 3 3; }

.balance { min-width: 180px; }
.balance svg { display: block; width: 100%; height: 10px; border-radius: 5px; }
.balance-big svg { height: 16px; border-radius: 8px; }
.balance-figures { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin-top: 4px; font-variant-numeric: tabular-nums; }
.balance-figures strong { color: var(--text); font-weight: 600; }

.auth { min-height: 100vh; display: grid; place-items: center; padding: 24px 16px; }
.auth-card { width: 100%; max-width: 420px; background: var(--surface); border: 1px solid var(--border); border-radius: 14px; padding: 28px; box-shadow: var(--shadow); }
.auth-card .brand { margin-bottom: 20px; font-size: 18px; }
.auth-card h1 { margin-bottom: 6px; }
.auth-card p.lead { color: var(--muted); margin-bottom: 18px; }
.auth-card .switch { margin-top: 18px; color: var(--muted); text-align: center; }

.pager { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
.filters { margin-bottom: 16px; }
details.confirm > summary { list-style: none; cursor: pointer; display: inline-flex; }
details.confirm > summary::-webkit-details-marker { display: none; }
details.confirm[open] > summary { display: none; }
details.confirm .confirm-box { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
fieldset.checks { border: 0; padding: 0; margin: 0; display: grid; gap: 6px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 240px), 1fr)); }
fieldset.checks legend { font-size: 12.5px; font-weight: 600; color: var(--muted); margin-bottom: 4px; padding: 0; }
fieldset.checks[aria-invalid="true"] legend { color: var(--danger); }
details.attempts { margin-top: 2px; }
details.attempts > summary { cursor: pointer; overflow-wrap: anywhere; }
details.attempts[open] { min-width: min(560px, 80vw); }
details.attempts table.data { margin: 8px 0; }
details.attempts pre.code { max-height: 320px; overflow: auto; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
pre.json { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; background: var(--surface-2); border-radius: 8px; padding: 10px 12px; }

.filters input[type="search"] { flex: 1 1 220px; width: auto; }

@media (max-width: 720px) {
  svg.chart-wide { display: none; }
  svg.chart-narrow { display: block; }
  .topbar-inner { flex-wrap: wrap; padding: 8px 14px 0; gap: 8px 12px; }
  .nav { order: 3; flex-basis: 100%; padding-bottom: 6px; margin: 0 -14px; padding-left: 10px; }
  .project-name { max-width: 140px; }
  .topbar form { margin-left: auto; }
  .container { padding: 16px 14px 48px; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .card .value { font-size: 20px; }
  h1 { font-size: 19px; }
  .auth-card { padding: 20px; }
}
`
