import { describe, expect, it } from 'vitest';
import { shingles, textBands } from './minhash.ts';

const WAVE = (name: string, order: string) =>
  `Dear ${name}, we could not deliver your order ${order} because the payment did not go through. Your account will be suspended within 24 hours unless you confirm your card details on our secure payment page. Thank you for shopping with us, your customer service team.`;

const shared = (a: string[], b: string[]) => a.filter((band) => b.includes(band)).length;

describe('near-duplicate texts', () => {
  it('gives texts of one wave, personalised, a band key in common', () => {
    const one = textBands(WAVE('Anna Schmidt', '100234'));
    const two = textBands(WAVE('Jonas Weber', '998877'));
    expect(one).toHaveLength(20);
    expect(shared(one, two)).toBeGreaterThan(0);
  });

  it('keeps unrelated texts apart, and says nothing of a text too short to compare', () => {
    const other = 'Your parcel is waiting at the depot; schedule a new delivery date and pay the customs fee of 2 euros through the link below before Friday or it goes back to the sender.';
    expect(shared(textBands(WAVE('Anna Schmidt', '100234')), textBands(other))).toBe(0);
    expect(textBands('Hello there, click here')).toEqual([]);
  });

  it('reads digits as one digit, so quoted numbers do not tell texts apart', () => {
    expect([...shingles('order 12345 is late')]).toEqual(['order 00000 is', '00000 is late']);
  });
});
