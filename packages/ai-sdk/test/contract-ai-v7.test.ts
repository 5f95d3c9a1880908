import { describeAdapterContract } from '@agentbill/adapter-contract'
import { aiV7Driver, mockModelV4 } from './support/ai-v7-driver'
import { contractHarness } from './support/contract-harness'
import { ScriptedProvider } from './support/scripted-provider'

// The shared adapter contract on ai 7 (spec v4) with the SDK's own MockLanguageModelV4, against
// the real AgentBill server.
describeAdapterContract(() => {
  const provider = new ScriptedProvider()
  const driver = aiV7Driver({
    name: 'ai 7 (MockLanguageModelV4)',
    createModel: () => mockModelV4(provider),
    keepIds: true,
  })
  return contractHarness(driver, provider)
})
