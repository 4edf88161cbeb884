// A real Django REST framework simplejwt server for the tests (test/servers/django/): Debian's
// python3-django, python3-djangorestframework and python3-djangorestframework-simplejwt, run with
// /usr/bin/python3 only. Each start gets a fresh sqlite database in a temp dir, migrates it,
// creates the users and serves on a free port of 127.0.0.1 (threaded wsgiref, ~2 s to start).
// Nothing here runs at import time.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PYTHON = process.env.DJANGO_PYTHON ?? '/usr/bin/python3'
const SERVE = fileURLToPath(new URL('./django/serve.py', import.meta.url))
const PACKAGES = 'python3-django python3-djangorestframework python3-djangorestframework-simplejwt'

/** Throws with the install command when Debian's Django packages are missing. */
export function assertDjangoInstalled() {
  const probe = spawnSync(PYTHON, ['-c', 'import django, rest_framework, rest_framework_simplejwt.token_blacklist'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import Django REST framework simplejwt (apt-get install -y ${PACKAGES}): ${(probe.stderr || probe.error?.message || '').trim()}`,
    )
  }
}

/**
 * Starts the simplejwt server and resolves once it answers HTTP.
 * @param {object} [options]
 * @param {number} [options.accessSeconds] ACCESS_TOKEN_LIFETIME in seconds (default 3)
 * @param {number} [options.refreshSeconds] REFRESH_TOKEN_LIFETIME in seconds (default 3600)
 * @param {Record<string, string>} [options.users] username -> password (default { alice: 'wonderland' })
 * @param {number} [options.timeout] ms to wait for start-up (default 20000)
 */
export async function startDjango(options = {}) {
  const { accessSeconds = 3, refreshSeconds = 3600, users = { alice: 'wonderland' }, timeout = 20_000 } = options
  assertDjangoInstalled()
  const dir = mkdtempSync(join(tmpdir(), 'tk-django-'))
  const child = spawn(PYTHON, [SERVE, '0', ...Object.entries(users).map(([name, password]) => `${name}:${password}`)], {
    // Its own process group, so close() can stop everything it started.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TK_DB: join(dir, 'db.sqlite3'),
      TK_ACCESS_SECONDS: String(accessSeconds),
      TK_REFRESH_SECONDS: String(refreshSeconds),
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
    },
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-(child.pid ?? 0), 'SIGTERM')
      } catch {
        // already gone
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL')
        } catch {
          // already gone
        }
      }, 3000)
      await exited
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Django did not start within ${timeout} ms: ${stderr.trim()}`)), timeout)
      let stdout = ''
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        const match = /READY (\d+)/.exec(stdout)
        if (match) {
          clearTimeout(timer)
          resolve(Number(match[1]))
        }
      })
      exited.then(({ code, signal }) => {
        clearTimeout(timer)
        reject(new Error(`Django exited (${code ?? signal}) before it was ready: ${stderr.trim()}`))
      })
    })
    const url = `http://127.0.0.1:${port}`
    // It printed READY after binding; one request proves the application answers.
    const probe = await fetch(`${url}/api/me`)
    if (probe.status !== 401) throw new Error(`Django's /api/me answered ${probe.status} without a token (401 expected)`)
    return {
      url,
      users,
      /** Requests the server received, by "METHOD /path" (GET /__stats itself not counted). */
      async stats() {
        const response = await fetch(`${url}/__stats`)
        return /** @type {Record<string, number>} */ (await response.json())
      },
      close: stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
