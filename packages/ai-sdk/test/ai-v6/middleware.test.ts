import { describeMiddlewareSuite } from '../support/describe-middleware-suite'
import { ScriptedProvider } from '../support/scripted-provider'
import { aiV6Driver } from './ai-v6-driver'

describeMiddlewareSuite(() => {
  const provider = new ScriptedProvider()
  return { driver: aiV6Driver(provider), provider }
})
