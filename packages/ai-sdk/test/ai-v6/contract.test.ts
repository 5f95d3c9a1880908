import { describeAdapterContract } from '@agentbill/adapter-contract'
import { contractHarness } from '../support/contract-harness'
import { ScriptedProvider } from '../support/scripted-provider'
import { aiV6Driver } from './ai-v6-driver'

// The shared adapter contract on ai 6 (spec v3) with the SDK's own MockLanguageModelV3, against
// the real AgentBill server: the same middleware object as on ai 7.
describeAdapterContract(() => {
  const provider = new ScriptedProvider()
  return contractHarness(aiV6Driver(provider), provider)
})
