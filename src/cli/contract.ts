/** The endpoints and CSRF header of the backend contract being checked (README "Backend contract"). */
export interface Contract {
  login: string
  refresh: string
  logout: string
  sessions: string
  csrfHeader: { name: string; value: string }
}

/** tokenkeeper's defaults: what `new TokenManager({ baseUrl })` calls. */
export const DEFAULT_CONTRACT: Contract = {
  login: '/auth/login',
  refresh: '/auth/refresh',
  logout: '/auth/logout',
  sessions: '/auth/sessions',
  csrfHeader: { name: 'X-TokenKeeper', value: '1' },
}

/** The simplejwt() preset's endpoints (its login is what the rate-limit check hammers). */
export const simplejwtContract = (prefix: string): Contract => ({
  login: `${prefix}/`,
  refresh: `${prefix}/refresh/`,
  logout: `${prefix}/blacklist/`,
  sessions: '',
  csrfHeader: DEFAULT_CONTRACT.csrfHeader,
})

/** The SDK's default `refreshLeadTime`, in milliseconds. */
export const DEFAULT_REFRESH_LEAD_TIME = 60_000

/** 400/401/403: the SDK reads these refresh answers as "the session is over". */
export const isRefused = (status: number): boolean => status === 400 || status === 401 || status === 403
export const isOk = (status: number): boolean => status >= 200 && status < 300
