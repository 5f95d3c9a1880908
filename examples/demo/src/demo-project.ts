import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { AgentBill, AgentBillAPIError, register } from 'agentbill'

/**
 * The demo's own project on the server, so it never touches yours: registered once, its admin key
 * kept in `file` (inside the gitignored `.agentbill/` folder) and reused on the next start.
 */
export async function demoProject(
  baseUrl: string,
  file: string,
): Promise<{ key: string; created: boolean }> {
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown }
    if (typeof saved.key === 'string') {
      try {
        await new AgentBill({ apiKey: saved.key, baseUrl, maxRetries: 0 }).admin.project.get()
        return { key: saved.key, created: false }
      } catch (error) {
        // A new database, or a revoked key: register again below.
        if (!AgentBillAPIError.isInstance(error) || error.status !== 401) throw error
      }
    }
  }
  const { project, key } = await register({ projectName: 'AgentBill demo', baseUrl })
  writeFileSync(file, `${JSON.stringify({ projectId: project.id, key }, null, 2)}\n`, {
    mode: 0o600,
  })
  return { key, created: true }
}
