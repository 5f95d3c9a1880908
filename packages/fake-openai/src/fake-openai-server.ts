import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { answerChat, readChatRequest } from './chat-completions'
import { defaultBehavior } from './default-brain'
import type { FakeBehavior, RecordedRequest } from './fake-behavior'
import { answerResponses, readResponsesRequest } from './responses'

/** Options of {@link startFakeOpenAI}. */
export interface FakeOpenAIOptions {
  /** @default 0 (a free port) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
}

/** A running fake OpenAI server. */
export interface FakeOpenAI {
  /** The base URL to give an OpenAI client (`…/v1`). */
  readonly baseURL: string
  /** Every request it received, oldest first. */
  readonly requests: readonly RecordedRequest[]
  /** How many model requests (chat completions and Responses) it received. */
  readonly modelCalls: number
  /** How many streams the client left before they ended (aborts, early `break`). */
  readonly abandonedStreams: number
  /** Queues answers for the next model requests, in order, after those already queued. */
  enqueue(...behaviors: FakeBehavior[]): void
  /** Replaces the queue: the next model requests get exactly these answers, in order. */
  script(...behaviors: FakeBehavior[]): void
  /** Forgets queued answers and recorded requests. */
  reset(): void
  close(): Promise<void>
}

/**
 * Starts a local OpenAI-compatible server: `POST /v1/chat/completions` and `POST /v1/responses`,
 * streamed or not, with tool calls and usage, and `GET /v1/models`. Each model request is answered
 * by the next queued {@link FakeBehavior}, else by a small deterministic agent that calls offered
 * tools and answers from their results.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const queue: FakeBehavior[] = []
  const requests: RecordedRequest[] = []
  let abandonedStreams = 0
  const sockets = new Set<import('node:net').Socket>()

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    const body = await readJson(request)
    if (request.method === 'GET' && path === '/v1/models') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({
          object: 'list',
          data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'fake' }],
        }),
      )
      return
    }
    const isChat = path === '/v1/chat/completions'
    const isResponses = path === '/v1/responses'
    if (request.method !== 'POST' || (!isChat && !isResponses)) {
      sendError(response, 404, `No fake for ${request.method} ${path}`)
      return
    }
    const conversation = isChat ? readChatRequest(body) : readResponsesRequest(body)
    const behavior = queue.shift() ?? defaultBehavior(conversation.turns, conversation.tools)
    requests.push({ method: request.method, path, headers: request.headers, body, behavior })
    response.on('close', () => {
      if (!response.writableFinished && behavior.kind !== 'hang') abandonedStreams++
    })
    if (behavior.kind === 'hang') return
    if (behavior.kind === 'error') {
      sendError(
        response,
        behavior.status,
        behavior.message ?? `Fake error ${behavior.status}`,
        behavior.retryAfterMs,
      )
      return
    }
    if (isChat) await answerChat(body, behavior, response)
    else await answerResponses(body, behavior, response)
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, `The fake failed: ${String(error)}`)
      else response.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  )
  const address = server.address() as AddressInfo

  return {
    baseURL: `http://${address.address}:${address.port}/v1`,
    get requests() {
      return requests
    },
    get modelCalls() {
      return requests.length
    },
    get abandonedStreams() {
      return abandonedStreams
    },
    enqueue: (...behaviors) => {
      queue.push(...behaviors)
    },
    script: (...behaviors) => {
      queue.splice(0, queue.length, ...behaviors)
    },
    reset: () => {
      queue.length = 0
      requests.length = 0
      abandonedStreams = 0
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  retryAfterMs?: number,
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(retryAfterMs === undefined ? {} : { 'retry-after-ms': String(retryAfterMs) }),
  })
  response.end(
    JSON.stringify({
      error: {
        message,
        type: status === 429 ? 'rate_limit_exceeded' : 'server_error',
        param: null,
        code: null,
      },
    }),
  )
}
