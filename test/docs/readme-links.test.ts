import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * The README is also the registry page, where relative links break: every link and image is
 * absolute (GitHub) or an anchor, and package.json's repository, homepage and bugs point at the
 * same repository.
 */

const root = new URL('../../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as Record<string, unknown>
const REPO = 'https://github.com/tokenkeeper/tokenkeeper'

/** Markdown links and images outside fenced code blocks. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '')
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
}

describe('README links', () => {
  it('are absolute or anchors (the npm page has no relative base)', () => {
    const all = links(readme)
    expect(all.length).toBeGreaterThan(10)
    expect(all.filter((target) => !/^(https?:\/\/|#|mailto:)/.test(target))).toEqual([])
  })

  it('into this repository point at main', () => {
    for (const target of links(readme).filter((t) => t.startsWith(`${REPO}/`))) {
      expect(target).toMatch(new RegExp(`^${REPO}/(blob|raw)/main/`))
    }
  })

  it('package.json names the same repository, homepage and issue tracker', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO}.git` })
    expect(pkg.homepage).toBe(`${REPO}#readme`)
    expect(pkg.bugs).toEqual({ url: `${REPO}/issues` })
  })
})
