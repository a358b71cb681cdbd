/** Bearer tokens: HS256 JWTs with the contract's claims `sub`, `role` and `tenants`. */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DomainError } from '../common/errors';
import { text } from '../common/i18n';

export const ROLES = ['ADMIN', 'STAFF', 'BANK', 'TAX', 'AGENCY'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  sub: string;
  role: Role;
  tenants: string[];
}

/**
 * The secret as a KeyObject, made once: given a string, jsonwebtoken tries (and fails) to read it as a
 * public key on every verification, which cost a quarter of a bank lookup's CPU time.
 */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

export function signToken(actor: Actor, secret: string, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
  return jwt.sign({ role: actor.role, tenants: actor.tenants }, keyOf(secret), { algorithm: 'HS256', subject: actor.sub, expiresIn });
}

/**
 * Tokens already verified, by their exact text: a bank counter or a tax script sends the same token
 * with every request, and verifying it (HMAC, base64, JSON) was about a tenth of a lookup's CPU time.
 * The signature of a given text under a given secret never changes; the expiry is checked on every use.
 * Bounded: when full it starts again, so a flood of distinct tokens costs memory for 10,000 at most.
 */
const VERIFIED_LIMIT = 10_000;
const verified = new Map<string, { actor: Actor; secret: string; maxLifetimeSeconds: number; expiresAt: number }>();

/** The longest a token may live, from its issue (iat) to its expiry (exp), unless the server is told otherwise. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/**
 * The actor a token speaks for; UNAUTHENTICATED for a bad signature, an expired token, bad claims, or a
 * token that never expires or lives longer than `maxLifetimeSeconds` (a stolen token must stop working).
 */
export function verifyToken(token: string, secret: string, maxLifetimeSeconds = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS): Actor {
  const known = verified.get(token);
  if (known && known.secret === secret && known.maxLifetimeSeconds === maxLifetimeSeconds && Date.now() < known.expiresAt) return known.actor;
  if (known) verified.delete(token);
  const { actor, expiresAt } = verifyTokenText(token, secret, maxLifetimeSeconds);
  if (verified.size >= VERIFIED_LIMIT) verified.clear();
  verified.set(token, { actor, secret, maxLifetimeSeconds, expiresAt });
  return actor;
}

function verifyTokenText(token: string, secret: string, maxLifetimeSeconds: number): { actor: Actor; expiresAt: number } {
  let claims: jwt.JwtPayload;
  try {
    const decoded = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'] });
    if (typeof decoded === 'string') throw new Error('not a JSON token');
    claims = decoded;
  } catch (err) {
    const reason = err instanceof jwt.TokenExpiredError ? text('令牌已过期', 'the token has expired') : text('令牌无效', 'the token is not valid');
    throw new DomainError('UNAUTHENTICATED', reason);
  }
  const { sub, role, tenants, exp, iat } = claims;
  if (typeof exp !== 'number')
    throw new DomainError('UNAUTHENTICATED', text('令牌没有有效期（exp）；令牌必须设有效期', 'the token has no expiry (exp); tokens must expire'));
  const lifetime = exp - (typeof iat === 'number' ? iat : Math.floor(Date.now() / 1000));
  if (lifetime > maxLifetimeSeconds) {
    throw new DomainError(
      'UNAUTHENTICATED',
      text(
        `令牌有效期为 ${Math.round(lifetime / 3600)} 小时；本服务只接受有效期不超过 ${Math.round(maxLifetimeSeconds / 3600)} 小时的令牌`,
        `the token lives ${Math.round(lifetime / 3600)} h; this server accepts tokens of at most ${Math.round(maxLifetimeSeconds / 3600)} h`,
      ),
    );
  }
  if (typeof sub !== 'string' || !sub) throw new DomainError('UNAUTHENTICATED', text('令牌没有使用者（sub）', 'the token has no subject (sub)'));
  if (!ROLES.includes(role))
    throw new DomainError('UNAUTHENTICATED', text(`令牌的角色（role）须为 ${ROLES.join('、')} 之一`, `the token's role must be one of ${ROLES.join(', ')}`));
  if (!Array.isArray(tenants) || !tenants.every((t) => typeof t === 'string')) {
    throw new DomainError('UNAUTHENTICATED', text('令牌的 tenants 声明须为统筹地区代码的列表', "the token's tenants claim must be a list of tenant codes"));
  }
  return { actor: Object.freeze({ sub, role, tenants: Object.freeze([...tenants]) as string[] }), expiresAt: exp * 1000 };
}
