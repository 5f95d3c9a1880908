import { describeMiddlewareSuite } from '../support/describe-middleware-suite'
import { ScriptedProvider } from '../support/scripted-provider'
import { aiV5Driver } from './ai-v5-driver'

describeMiddlewareSuite(() => {
  const provider = new ScriptedProvider()
  return { driver: aiV5Driver(provider), provider }
})
