import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CACHE_TTL_SECONDS,
  MAX_CACHE_TTL_SECONDS,
  parseCacheDirective,
} from '#core/cache/cache-directive.ts';
import { InvalidRequestError } from '#core/errors.ts';

describe('parseCacheDirective', () => {
  it('is off without the header, or with false', () => {
    expect(parseCacheDirective({})).toBeUndefined();
    expect(parseCacheDirective({ 'x-metrion-cache': 'false' })).toBeUndefined();
    expect(parseCacheDirective({ 'x-metrion-cache': ' ' })).toBeUndefined();
  });

  it('reads true as read-write and refresh as refresh, case-insensitively, 7 days by default', () => {
    expect(parseCacheDirective({ 'x-metrion-cache': 'TRUE' })).toEqual({
      mode: 'read-write',
      ttlSeconds: DEFAULT_CACHE_TTL_SECONDS,
    });
    expect(parseCacheDirective({ 'x-metrion-cache': 'refresh' })?.mode).toBe('refresh');
    expect(DEFAULT_CACHE_TTL_SECONDS).toBe(7 * 86_400);
  });

  it.each([
    ['max-age=3600', 3600],
    ['public, max-age=60', 60],
    ['max-age="120", no-transform', 120],
    ['MAX-AGE=0', 0],
    [`max-age=${400 * 86_400}`, MAX_CACHE_TTL_SECONDS],
    ['max-age=99999999999999999999999', MAX_CACHE_TTL_SECONDS],
    ['s-maxage=60', DEFAULT_CACHE_TTL_SECONDS],
    ['no-cache', DEFAULT_CACHE_TTL_SECONDS],
  ])('takes the TTL from Cache-Control: %s -> %i s', (cacheControl, ttlSeconds) => {
    expect(
      parseCacheDirective({ 'x-metrion-cache': 'true', 'cache-control': cacheControl })?.ttlSeconds,
    ).toBe(ttlSeconds);
  });

  it.each([
    'max-age=-5',
    'max-age=abc',
    'max-age=',
    'max-age',
    'max-age=1.5',
    'public, max-age=10s',
  ])('rejects an invalid Cache-Control max-age with x-metrion-cache: %s', (cacheControl) => {
    expect(() =>
      parseCacheDirective({ 'x-metrion-cache': 'true', 'cache-control': cacheControl }),
    ).toThrow(/max-age/);
  });

  it("ignores Cache-Control without x-metrion-cache (it is the caller's business then)", () => {
    expect(parseCacheDirective({ 'cache-control': 'max-age=abc' })).toBeUndefined();
  });

  it('caps the TTL at 365 days', () => {
    expect(MAX_CACHE_TTL_SECONDS).toBe(365 * 86_400);
  });

  it('rejects any other value with a message naming both valid ones', () => {
    expect(() => parseCacheDirective({ 'x-metrion-cache': 'yes' })).toThrow(InvalidRequestError);
    expect(() => parseCacheDirective({ 'x-metrion-cache': 'yes' })).toThrow(/"true".*"refresh"/);
  });
});
