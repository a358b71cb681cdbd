import jwt from 'jsonwebtoken';
import { signToken, verifyToken } from '../../src/context/tokens';
import { DomainError } from '../../src/common/errors';

const SECRET = 'unit-test-secret-0123456789-0123456789';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof DomainError ? err.code : 'OTHER';
  }
}

describe('verifyToken and its cache of verified tokens', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers the same actor for the same token, frozen so no request can change it for the next', () => {
    const token = signToken({ sub: 'bank-01', role: 'BANK', tenants: ['620702'] }, SECRET, '1h');
    const first = verifyToken(token, SECRET);
    expect(first).toEqual({ sub: 'bank-01', role: 'BANK', tenants: ['620702'] });
    expect(verifyToken(token, SECRET)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.tenants)).toBe(true);
  });

  it('refuses a cached token once it has expired', () => {
    const token = signToken({ sub: 'tax-01', role: 'TAX', tenants: ['610926'] }, SECRET, '60s');
    expect(verifyToken(token, SECRET).sub).toBe('tax-01');
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    expect(codeOf(() => verifyToken(token, SECRET))).toBe('UNAUTHENTICATED');
  });

  it('refuses a cached token under another secret, and a token whose text was changed', () => {
    const token = signToken({ sub: 'staff-01', role: 'STAFF', tenants: ['620721'] }, SECRET, '1h');
    expect(verifyToken(token, SECRET).role).toBe('STAFF');
    expect(codeOf(() => verifyToken(token, `${SECRET}-rotated`))).toBe('UNAUTHENTICATED');
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'ADMIN' })).toString('base64url');
    expect(codeOf(() => verifyToken(`${header}.${forged}.${signature}`, SECRET))).toBe('UNAUTHENTICATED');
  });
});

describe('token lifetime', () => {
  const claims = { role: 'BANK', tenants: ['620702'] };

  it('refuses a token without an expiry, every time (it is never trusted from the cache)', () => {
    const token = jwt.sign(claims, SECRET, { algorithm: 'HS256', subject: 'bank-forever' });
    expect(codeOf(() => verifyToken(token, SECRET))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifyToken(token, SECRET))).toBe('UNAUTHENTICATED');
  });

  it('refuses a token that lives longer than the maximum, and accepts one within it', () => {
    const long = jwt.sign(claims, SECRET, { algorithm: 'HS256', subject: 'bank-long', expiresIn: '30d' });
    expect(codeOf(() => verifyToken(long, SECRET))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifyToken(long, SECRET, 31 * 24 * 3600))).toBeNull();
    const day = jwt.sign(claims, SECRET, { algorithm: 'HS256', subject: 'bank-day', expiresIn: '24h' });
    expect(verifyToken(day, SECRET).sub).toBe('bank-day');
  });
});
