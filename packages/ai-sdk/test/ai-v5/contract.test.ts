import { describeAdapterContract } from '@agentbill/adapter-contract'
import { contractHarness } from '../support/contract-harness'
import { ScriptedProvider } from '../support/scripted-provider'
import { aiV5Driver } from './ai-v5-driver'

// The shared adapter contract on ai 5 (spec v2) with the SDK's own MockLanguageModelV2, against
// the real AgentBill server: the same middleware object as on ai 7 and 6.
describeAdapterContract(() => {
  const provider = new ScriptedProvider()
  return contractHarness(aiV5Driver(provider), provider)
})
