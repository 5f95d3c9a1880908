#!/usr/bin/env node
import { startFakeOpenAI } from './fake-openai-server'

// `fake-openai [--port N]`: a local OpenAI-compatible server for offline examples.
const portIndex = process.argv.indexOf('--port')
const port = portIndex >= 0 ? Number(process.argv[portIndex + 1]) : 0
const fake = await startFakeOpenAI({ port })
process.stdout.write(`Fake OpenAI-compatible server listening on ${fake.baseURL}\n`)
const stop = () => {
  void fake.close().then(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
