import type { OpenApiDocument } from './openapi.js'

const escapeHtml = (value: string): string =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')

function schemaBlock(schema: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`
}

interface Operation {
  operationId: string
  summary: string
  description?: string
  tags: string[]
  'x-agentbill-scope': string
  parameters?: {
    name: string
    in: string
    required: boolean
    description?: string
    schema: unknown
  }[]
  requestBody?: { content: Record<string, { schema: unknown }> }
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>
}

/**
 * A self-contained HTML page rendering the OpenAPI document: no script, no CDN, no asset to
 * fetch. Operations are grouped by tag; schemas are linked by name to their definitions.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const byTag = new Map<string, string[]>()
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const operation = raw as Operation
      const tag = operation.tags[0] ?? 'Other'
      const parameters = (operation.parameters ?? [])
        .map(
          (parameter) =>
            `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${parameter.in}</td><td>${
              parameter.required ? 'required' : 'optional'
            }</td><td>${escapeHtml(parameter.description ?? '')}</td><td><code>${escapeHtml(
              JSON.stringify(parameter.schema),
            )}</code></td></tr>`,
        )
        .join('')
      const body = operation.requestBody?.content['application/json']?.schema
      const responses = Object.entries(operation.responses)
        .map(([status, response]) => {
          const content = Object.values(response.content ?? {})[0]?.schema
          return `<li><b>${status}</b> ${escapeHtml(response.description)}${
            content === undefined ? '' : ` ${schemaBlock(content)}`
          }</li>`
        })
        .join('')
      const html = `<section id="${escapeHtml(operation.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(operation.summary)} <span class="scope">${escapeHtml(operation['x-agentbill-scope'])}</span></p>
${operation.description === undefined ? '' : `<p>${escapeHtml(operation.description)}</p>`}
${parameters === '' ? '' : `<table><tr><th>Parameter</th><th>In</th><th></th><th>Description</th><th>Schema</th></tr>${parameters}</table>`}
${body === undefined ? '' : `<h4>Request body (application/json)</h4>${schemaBlock(body)}`}
<h4>Responses</h4><ul>${responses}</ul>
</section>`
      const list = byTag.get(tag) ?? []
      list.push(html)
      byTag.set(tag, list)
    }
  }
  const sections = [...byTag.entries()]
    .map(([tag, operations]) => `<h2>${escapeHtml(tag)}</h2>${operations.join('\n')}`)
    .join('\n')
  const schemas = Object.entries(document.components.schemas)
    .map(
      ([name, schema]) =>
        `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${schemaBlock(schema)}</section>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f5f5;padding:.6rem;overflow:auto;max-height:24rem}
section{border-top:1px solid #ddd;padding:.5rem 0}.method{display:inline-block;min-width:4.5rem;font-weight:700}
.get{color:#0a7}.post{color:#06c}.patch{color:#a60}.delete{color:#c33}.scope{font-size:12px;background:#eee;padding:0 .4rem;border-radius:3px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Auth: <code>Authorization: Bearer agb_…</code>.</p>
${sections}
<h2>Schemas</h2>
${schemas}
</body></html>`
}
