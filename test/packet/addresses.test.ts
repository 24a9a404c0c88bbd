import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  formatIpv6,
  formatMac,
  isIpv4,
  isIpv6,
  parseIp,
  parseIpv4,
  parseIpv6,
  parseMac,
} from '../../src/packet/index.js';

describe('MAC addresses', () => {
  it('parses and formats lowercase colon form', () => {
    expect([...parseMac('02:1A:ff:00:9b:c3')]).toEqual([0x02, 0x1a, 0xff, 0x00, 0x9b, 0xc3]);
    expect(formatMac(Uint8Array.of(0x02, 0x1a, 0xff, 0x00, 0x9b, 0xc3))).toBe('02:1a:ff:00:9b:c3');
    expect([...parseMac('aa-bb-cc-dd-ee-ff')]).toEqual([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  });

  it('formats at an offset', () => {
    expect(formatMac(Uint8Array.of(9, 9, 1, 2, 3, 4, 5, 6), 2)).toBe('01:02:03:04:05:06');
  });

  it.each([
    ['02:00:00:00:00', 'expected six'],
    ['02:00:00:00:00:0g', 'group 6 is not two hex digits'],
    ['02:00:00:00:00.01', "expected ':' after group 5"],
    ['', 'expected six'],
  ])('rejects %j naming the problem', (text, why) => {
    expect(() => parseMac(text)).toThrow(`invalid MAC address '${text}'`);
    expect(() => parseMac(text)).toThrow(why);
  });
});

describe('IPv4 addresses', () => {
  it('parses and formats dotted decimal', () => {
    expect([...parseIpv4('192.168.0.255')]).toEqual([192, 168, 0, 255]);
    expect(formatIpv4(Uint8Array.of(10, 0, 0, 1))).toBe('10.0.0.1');
    expect(isIpv4('0.0.0.0')).toBe(true);
  });

  it.each([
    ['1.2.3', 'expected four'],
    ['1.2.3.4.5', 'more than four parts'],
    ['1.2.3.256', 'greater than 255'],
    ['1.2.03.4', 'leading zero'],
    ['1..3.4', 'part 2 is empty'],
    ['1.2.3.x', "unexpected character 'x'"],
  ])('rejects %j', (text, why) => {
    expect(() => parseIpv4(text)).toThrow(why);
    expect(isIpv4(text)).toBe(false);
  });
});

describe('IPv6 addresses', () => {
  it.each([
    ['2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001'],
    ['::', '0000:0000:0000:0000:0000:0000:0000:0000'],
    ['::1', '0000:0000:0000:0000:0000:0000:0000:0001'],
    ['fe80::', 'fe80:0000:0000:0000:0000:0000:0000:0000'],
    ['2001:db8:0:1:1:1:1:1', '2001:0db8:0000:0001:0001:0001:0001:0001'],
    ['2001:db8::1:0:0:1', '2001:0db8:0000:0000:0001:0000:0000:0001'],
    ['::ffff:192.0.2.1', '0000:0000:0000:0000:0000:ffff:c000:0201'],
  ])('%s round-trips through its full form (RFC 5952 canonical)', (canonical, full) => {
    const bytes = parseIpv6(full);
    expect(formatIpv6(bytes)).toBe(canonical);
    expect([...parseIpv6(canonical)]).toEqual([...bytes]);
  });

  it('applies the RFC 5952 rules: lowercase, longest zero run, first run on a tie, no single-group ::', () => {
    expect(formatIpv6(parseIpv6('2001:DB8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(parseIpv6('2001:db8:0:0:0:1:0:0'))).toBe('2001:db8::1:0:0');
    expect(formatIpv6(parseIpv6('2001:db8:1:1:1:1:0:1'))).toBe('2001:db8:1:1:1:1:0:1');
    expect(formatIpv6(parseIpv6('1:0:0:2:0:0:0:3'))).toBe('1:0:0:2::3');
  });

  it('accepts an embedded IPv4 tail', () => {
    expect([...parseIpv6('64:ff9b::10.0.0.1')].slice(12)).toEqual([10, 0, 0, 1]);
  });

  it.each([
    ['1:2:3:4:5:6:7', 'expected eight groups'],
    ['1::2::3', "'::' appears more than once"],
    ['1:2:3:4:5:6:7:8:9', 'more than eight groups'],
    ['12345::', '1-4 hex digits'],
    ['1:2:3:4:5:6:7::8', "'::' must stand for at least one group"],
    [':1::', "a leading ':' must be part of '::'"],
    ['1:', "trailing ':'"],
    ['fe80::1%eth0', "unexpected character '%'"],
  ])('rejects %j', (text, why) => {
    expect(() => parseIpv6(text)).toThrow(why);
    expect(isIpv6(text)).toBe(false);
  });

  it('parseIp tells the family', () => {
    expect(parseIp('10.1.2.3').version).toBe(4);
    expect(parseIp('fd00::1').version).toBe(6);
  });
});
