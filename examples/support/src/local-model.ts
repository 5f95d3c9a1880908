import { startFakeOpenAI } from '@agentbill/fake-openai'

/** Where an example's OpenAI client should point. */
export interface ModelConnection {
  /** `undefined` means the OpenAI SDK's default (the real API). */
  baseURL: string | undefined
  apiKey: string
  model: string
  /** `true` when the example runs on the local fake model. */
  local: boolean
  close(): Promise<void>
}

/**
 * Uses OpenAI when `OPENAI_API_KEY` is set (unchanged: the real provider); otherwise starts the
 * local OpenAI-compatible server (streaming, tool calls and usage included) and says so.
 */
export async function connectModel(
  log: (line: string) => void = console.log,
): Promise<ModelConnection> {
  const apiKey = process.env.OPENAI_API_KEY
  const model = process.env.OPENAI_MODEL ?? 'gpt-4o-mini'
  if (apiKey !== undefined && apiKey !== '') {
    log(`Using OpenAI (${model}) with OPENAI_API_KEY`)
    return {
      baseURL: process.env.OPENAI_BASE_URL,
      apiKey,
      model,
      local: false,
      close: async () => {},
    }
  }
  const fake = await startFakeOpenAI()
  log(`No OPENAI_API_KEY set: using a local OpenAI-compatible model at ${fake.baseURL}`)
  return {
    baseURL: fake.baseURL,
    apiKey: 'sk-local-fake',
    model,
    local: true,
    close: () => fake.close(),
  }
}
