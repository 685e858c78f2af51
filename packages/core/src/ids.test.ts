import { describe, expect, it } from 'vitest';
import { isUuid, isUuidV7, newEventId, uuidV7Timestamp } from './ids.js';

describe('newEventId', () => {
  it('returns canonical UUIDv7 strings carrying the current time', () => {
    const before = Date.now();
    const id = newEventId();
    const after = Date.now();
    expect(isUuid(id)).toBe(true);
    expect(isUuidV7(id)).toBe(true);
    expect(id).toBe(id.toLowerCase());
    const ts = uuidV7Timestamp(id);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(after);
  });

  it('is unique and strictly increasing within a process', () => {
    const ids = Array.from({ length: 10_000 }, () => newEventId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? ''))).toBe(true);
  });

  it('back-dates ids to a given millisecond', () => {
    const at = Date.UTC(2026, 0, 15, 9, 30);
    const a = newEventId(at);
    const b = newEventId(at);
    expect(uuidV7Timestamp(a)).toBe(at);
    expect(uuidV7Timestamp(b)).toBe(at);
    expect(a).not.toBe(b);
    expect(uuidV7Timestamp(newEventId(0))).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 48])('rejects the timestamp %s', (at) => {
    expect(() => newEventId(at)).toThrow(RangeError);
  });
});

describe('isUuid', () => {
  it('accepts canonical UUIDs of any version and case', () => {
    expect(isUuid('017f22e2-79b0-7cc3-98c4-dc0c0c07398f')).toBe(true);
    expect(isUuid('F47AC10B-58CC-4372-A567-0E02B2C3D479')).toBe(true);
  });

  it.each([
    '',
    'not-a-uuid',
    '017f22e279b07cc398c4dc0c0c07398f',
    '{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}',
    ' 017f22e2-79b0-7cc3-98c4-dc0c0c07398f',
    '017f22e2-79b0-7cc3-98c4-dc0c0c07398g',
    '017f22e2-79b0-7cc3-98c4-dc0c0c07398f0',
  ])('rejects %j', (s) => {
    expect(isUuid(s)).toBe(false);
  });
});

describe('uuidV7Timestamp', () => {
  it('reads the RFC 9562 test vector', () => {
    // RFC 9562 Appendix A.6: Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00
    expect(uuidV7Timestamp('017F22E2-79B0-7CC3-98C4-DC0C0C07398F')).toBe(1645557742000);
  });

  it('returns null for ids that are not v7', () => {
    expect(uuidV7Timestamp('f47ac10b-58cc-4372-a567-0e02b2c3d479')).toBeNull(); // v4
    expect(uuidV7Timestamp('017f22e2-79b0-7cc3-08c4-dc0c0c07398f')).toBeNull(); // wrong variant
    expect(uuidV7Timestamp('nonsense')).toBeNull();
  });
});
