import { describe, expect, it } from 'vitest';
import { BOUNTY } from '../../test/helpers/bounty.ts';
import { TocsinError } from '../lib/errors.ts';
import { attachmentName, attachmentType, checkTransition, parseState, suggestedReward } from './report-rules.ts';

describe('report rules', () => {
  it('tells an attachment’s type from its bytes, whatever it is called', () => {
    expect(attachmentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]))).toBe('image/png');
    expect(attachmentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(attachmentType(Buffer.from('GIF89a....'))).toBe('image/gif');
    expect(attachmentType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(attachmentType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toBe('application/zip');
    expect(attachmentType(Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]))).toBe('video/mp4');
    expect(attachmentType(Buffer.from('GET /api/orders/1 HTTP/1.1\r\nHost: shop\r\n\tx'))).toBe('text/plain');
    expect(attachmentType(Buffer.from('<svg onload=alert(1)>'))).toBe('text/plain');
    expect(attachmentType(Buffer.from([0x4d, 0x5a, 0x90, 0x00]))).toBeNull();
    expect(attachmentType(Buffer.from('text with an escape \u001b[2J'))).toBeNull();
    expect(attachmentType(Buffer.from([0xc3, 0x28]))).toBeNull();
    expect(attachmentType(Buffer.alloc(0))).toBeNull();
  });

  it('keeps an attachment’s name without its path or control characters', () => {
    expect(attachmentName('C:\\Users\\ada\\shot.png')).toBe('shot.png');
    expect(attachmentName('../../etc/passwd')).toBe('passwd');
    expect(attachmentName('a\r\nX-Injected: 1\u202egnp.exe')).toBe('aX-Injected: 1gnp.exe');
    expect(attachmentName('..')).toBe('attachment');
    expect(attachmentName('')).toBe('attachment');
    expect(attachmentName('x'.repeat(300))).toHaveLength(200);
  });

  it('lets a report move to any other state but new; a duplicate names another report', () => {
    expect(() => checkTransition('B-1', 'new', 'triaged', undefined)).not.toThrow();
    expect(() => checkTransition('B-1', 'resolved', 'triaged', undefined)).not.toThrow();
    expect(() => checkTransition('B-1', 'new', 'duplicate', 'B-0')).not.toThrow();
    const refused: [Parameters<typeof checkTransition>, string][] = [
      [['B-1', 'triaged', 'new', undefined], 'BAD_TRANSITION'],
      [['B-1', 'triaged', 'triaged', undefined], 'BAD_TRANSITION'],
      [['B-1', 'new', 'duplicate', undefined], 'DUPLICATE_OF_MISSING'],
      [['B-1', 'new', 'spam', 'B-0'], 'DUPLICATE_OF_UNEXPECTED'],
      [['B-1', 'new', 'duplicate', 'B-1'], 'DUPLICATE_OF_ITSELF'],
    ];
    for (const [args, code] of refused) expect(() => checkTransition(...args)).toThrow(expect.objectContaining({ code }));
    expect(() => parseState('closed\u001b[2J')).toThrow(TocsinError);
    expect(() => parseState('closed\u001b[2J')).toThrow(/'closed\?\[2J' is not a report state/);
  });

  it('suggests the reward of the asset’s tier and the severity', () => {
    expect(suggestedReward(BOUNTY, 'shop.example.com', 'critical')).toEqual({ amount: 5000, currency: 'EUR', tier: 'critical' });
    expect(suggestedReward(BOUNTY, 'api.shop.example.com', 'low')).toEqual({ amount: 150, currency: 'EUR', tier: 'high' });
    expect(suggestedReward(BOUNTY, 'api.shop.example.com', 'none')).toEqual({ amount: 0, currency: 'EUR', tier: 'high' });
    expect(suggestedReward(BOUNTY, 'gone.example.com', 'high')).toBeNull();
  });
});
