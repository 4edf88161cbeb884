/** The kind of device a session's User-Agent suggests (`unknown` when it names no known browser or OS). */
export type Device = 'desktop' | 'mobile' | 'tablet' | 'unknown'

/** Just enough User-Agent parsing for a sessions screen; not a general parser. */
export function parseUserAgent(ua: string | null): { device: Device; browser: string; os: string } {
  if (!ua) return { device: 'unknown', browser: 'Unknown', os: 'Unknown' }
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /(Chrome|Chromium|HeadlessChrome)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /node|undici/i.test(ua)
              ? 'Node.js'
              : 'Unknown'
  const os = /iPhone|iPad|iPod/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : 'Unknown'
  const device: Device =
    /iPad|Tablet/.test(ua) || (/Android/.test(ua) && !/Mobile/.test(ua))
      ? 'tablet'
      : /Mobi|iPhone|Android/.test(ua)
        ? 'mobile'
        : browser === 'Unknown' && os === 'Unknown'
          ? 'unknown'
          : 'desktop'
  return { device, browser, os }
}
