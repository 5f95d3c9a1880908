import type { ContractHarness } from '@agentbill/adapter-contract'
import type { MajorDriver } from './major-driver'
import type { ScriptedProvider } from './scripted-provider'

/** The shared adapter contract's harness over one major's driver and the scripted mock provider. */
export function contractHarness(driver: MajorDriver, provider: ScriptedProvider): ContractHarness {
  return {
    name: driver.name,
    streaming: true,
    providerCalls: () => provider.calls,
    async call(call) {
      provider.answer(call.answer)
      const driverCall = {
        bill: call.bare ? null : call.bill,
        agentId: call.agentId,
        customerId: call.customerId,
        prompt: call.prompt,
      }
      return call.stream ? driver.stream(driverCall) : driver.generate(driverCall)
    },
  }
}
