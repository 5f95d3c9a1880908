import { aiV7Driver, mockModelV4 } from './support/ai-v7-driver'
import { describeMiddlewareSuite } from './support/describe-middleware-suite'
import { ScriptedProvider } from './support/scripted-provider'

describeMiddlewareSuite(() => {
  const provider = new ScriptedProvider()
  const driver = aiV7Driver({
    name: 'ai 7 (MockLanguageModelV4)',
    createModel: () => mockModelV4(provider),
    keepIds: true,
  })
  return { driver, provider }
})
