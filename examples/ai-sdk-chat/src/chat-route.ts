import {
  agentBillMiddleware,
  budgetExceededResponse,
  findBudgetExceededError,
  waitForBudget,
} from '@agentbill/ai-sdk'
import { createOpenAI } from '@ai-sdk/openai'
import type { AgentBill } from 'agentbill'
import { streamText, wrapLanguageModel } from 'ai'

/**
 * `POST /api/chat` as a Next.js App Router route (or any fetch-style server): streams the answer,
 * or answers 402 with the upgrade URL — before anything streams and before the model is called —
 * when the customer is out of budget.
 */
export function createChatRoute(options: {
  bill: AgentBill
  openai: { apiKey: string; baseURL: string | undefined }
  model: string
}) {
  const provider = createOpenAI({
    apiKey: options.openai.apiKey,
    ...(options.openai.baseURL === undefined ? {} : { baseURL: options.openai.baseURL }),
  })
  // Made once, at start-up: one wrapped model serves every customer.
  const model = wrapLanguageModel({
    model: provider.chat(options.model),
    middleware: agentBillMiddleware({
      client: options.bill,
      agentId: 'chat-assistant',
      ceiling: 50,
    }),
  })
  return async function POST(request: Request): Promise<Response> {
    const { customerId, prompt } = (await request.json()) as { customerId: string; prompt: string }
    const result = streamText({
      model,
      prompt,
      maxOutputTokens: 300,
      abortSignal: request.signal, // a closed tab stops the model and bills what streamed
      providerOptions: { agentbill: { customerId } },
      // streamText logs every error by default; a customer out of budget is an answer, not a fault.
      onError: ({ error }) => {
        if (findBudgetExceededError(error) === undefined) console.error(error)
      },
    })
    const blocked = await waitForBudget(result)
    if (blocked) return budgetExceededResponse(blocked) // 402, nothing streamed
    return result.toTextStreamResponse()
  }
}
