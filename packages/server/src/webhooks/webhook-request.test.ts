import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { sendWebhookRequest } from './webhook-request.js'
import { systemLookup, type WebhookTargetPolicy } from './webhook-target.js'

const privateAllowed: WebhookTargetPolicy = {
  allowPrivateTargets: true,
  lookup: systemLookup,
  lookupTimeoutMs: 1000,
}

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** A TCP server on 127.0.0.1 that accepts connections and never writes a byte. */
async function silentServer(): Promise<number> {
  const sockets: Socket[] = []
  const server: Server = createTcpServer((socket) => {
    sockets.push(socket)
    socket.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

const send = (url: string, options: Partial<Parameters<typeof sendWebhookRequest>[0]> = {}) =>
  sendWebhookRequest({
    url,
    payload: '{"id":"whevt_1"}',
    headers: { 'content-type': 'application/json' },
    policy: privateAllowed,
    ...options,
  })

describe('sendWebhookRequest', () => {
  it('gives up a connection that does not complete (a TLS handshake that never ends) at the connect time-out', async () => {
    const port = await silentServer()
    const result = await send(`https://127.0.0.1:${port}/hook`, {
      connectTimeoutMs: 200,
      timeoutMs: 5000,
    })
    expect(result).toEqual({
      succeeded: false,
      responseStatus: null,
      error: 'timed out: could not connect within 200 ms',
    })
  })

  it('gives up a connected request that gets no answer at the total time-out', async () => {
    const port = await silentServer()
    const result = await send(`http://127.0.0.1:${port}/hook`, {
      connectTimeoutMs: 5000,
      timeoutMs: 200,
    })
    expect(result.error).toBe('timed out: no complete answer within 200 ms')
  })

  it('reports a refused connection, a refused target and an abort as failed attempts', async () => {
    const port = await silentServer()
    closers.splice(0).forEach((close) => void close())
    await new Promise((resolve) => setTimeout(resolve, 50))
    const refused = await send(`http://127.0.0.1:${port}/hook`)
    expect(refused.succeeded).toBe(false)
    expect(refused.error).toMatch(/^request failed: /)
    const policyRefused = await send('http://127.0.0.1:9/hook', {
      policy: { ...privateAllowed, allowPrivateTargets: false },
    })
    expect(policyRefused.error).toMatch(/^refused: the URL must point to a public address/)
    const controller = new AbortController()
    const live = await silentServer()
    const pending = send(`http://127.0.0.1:${live}/hook`, { signal: controller.signal })
    controller.abort()
    expect((await pending).error).toBe('aborted: the server is shutting down')
  })

  it('reads at most 64 KiB of an answer, and judges by its status', async () => {
    const server = createHttpServer((_request, response) => {
      response.writeHead(200)
      // An endless body: the attempt must not read it all.
      const chunk = Buffer.alloc(16 * 1024, 97)
      const write = () => {
        while (response.write(chunk)) {
          if (response.destroyed) return
        }
        response.once('drain', write)
      }
      write()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const result = await send(`http://127.0.0.1:${address.port}/hook`, { timeoutMs: 5000 })
    expect(result).toEqual({ succeeded: true, responseStatus: 200, error: null })
  })
})
