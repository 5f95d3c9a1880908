// A bare handler on each candidate framework: parse a small JSON body, answer a small JSON
// object. The baseline the ledger server is compared with, and the framework choice's evidence.
import { createServer } from 'node:http'

const framework = process.argv[2] ?? 'hono'
const port = Number(process.argv[3] ?? 0)
const answer = { approved: true, remaining_units: 990, estimated_units: 10 }

async function start() {
  if (framework === 'hono') {
    const { Hono } = await import('hono')
    const { serve } = await import('@hono/node-server')
    const app = new Hono()
    app.post('/v1/bare', async (context) => {
      const body = await context.req.json()
      return context.json({ ...answer, agent_id: body.agent_id })
    })
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
      process.send?.({ port: info.port })
    })
    return server
  }
  if (framework === 'fastify') {
    const { default: Fastify } = await import('fastify')
    const app = Fastify({ logger: false })
    app.post('/v1/bare', async (request) => ({ ...answer, agent_id: request.body.agent_id }))
    await app.listen({ port, host: '127.0.0.1' })
    process.send?.({ port: app.server.address().port })
    return app
  }
  const server = createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ ...answer, agent_id: body.agent_id }))
    })
  })
  server.listen(port, '127.0.0.1', () => process.send?.({ port: server.address().port }))
  return server
}

await start()
