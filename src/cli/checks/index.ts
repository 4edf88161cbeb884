import type { Check } from '../result'
import { cookieFlags } from './cookie-flags'
import { cors } from './cors'
import { csrf } from './csrf'
import { expiry } from './expiry'
import { logout } from './logout'
import { rateLimit } from './rate-limit'
import { rotation } from './rotation'
import { tokenExposure } from './token-exposure'

/** Every check, in report order; the rate-limit check last (it may lock the account). */
export const CHECKS: readonly Check[] = [cookieFlags, tokenExposure, expiry, csrf, rotation, logout, cors, rateLimit]
