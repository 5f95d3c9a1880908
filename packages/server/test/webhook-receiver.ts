import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One POST the receiver got. */
export interface ReceivedWebhook {
  path: string
  headers: IncomingHttpHeaders
  /** The body exactly as received. */
  body: string
}

/** What the receiver answers a request with: a status, or `'hang'` (never answer). */
export type ReceiverAnswer = number | 'hang' | { status: number; headers: Record<string, string> }

/**
 * A real HTTP server on 127.0.0.1 that records every webhook it gets and answers as told
 * (by default 204). Hanging requests are ended when the receiver closes.
 */
export interface WebhookReceiver {
  url: string
  received: ReceivedWebhook[]
  /** Decides the answer to each request (default: 204). */
  answer: (request: ReceivedWebhook, index: number) => ReceiverAnswer
  /** Requests left hanging, oldest first (answer them with `release`). */
  hanging: ServerResponse[]
  /** Bodies of the received events of this type, parsed. */
  events(type?: string): Array<{ id: string; type: string; data: Record<string, unknown> }>
  /** Answers every hanging request with this status. */
  release(status?: number): void
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    answer: () => 204,
    hanging: [],
    events: (type) =>
      receiver.received
        .map(
          (item) =>
            JSON.parse(item.body) as { id: string; type: string; data: Record<string, unknown> },
        )
        .filter((event) => type === undefined || event.type === type),
    release: (status = 204) => {
      for (const response of receiver.hanging.splice(0)) response.writeHead(status).end()
    },
    close: async () => {
      receiver.release(503)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const item: ReceivedWebhook = {
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      receiver.received.push(item)
      const answer = receiver.answer(item, receiver.received.length - 1)
      if (answer === 'hang') {
        receiver.hanging.push(response)
        return
      }
      if (typeof answer === 'number') response.writeHead(answer).end()
      else response.writeHead(answer.status, answer.headers).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return receiver
}
