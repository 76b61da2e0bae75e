/**
 * The phishing that follows the demo breach: messages to affected customers that quote their
 * name and order number, in two waves from look-alike domains of the demo shop (a "payment
 * problem" sent from two domains with the same text, and a "parcel held" from a free mailbox
 * linking to a homoglyph domain), for `tocsin demo` to feed to the phishing desk.
 */

export interface WaveTarget {
  email: string;
  name: string;
  order: string;
}

/** The look-alike domains of shop.example.com the waves use. */
export const WAVE_DOMAINS = { payment: 'example-secure.com', paymentAgain: 'example-login.com', parcel: 'exarnple.net' };

function message(headers: Record<string, string>, text: string): Buffer {
  return Buffer.from(`${Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`, 'utf8');
}

/** Time between two phish: the waves come in over a few hours, as customers forward them. */
const SPACING_MS = 17 * 60_000;

/** One message per target, the waves taking turns, the first sent at `start` and each later one dated (RFC 5322) a few minutes after the last. */
export function phishingWave(targets: readonly WaveTarget[], start: Date): { sentAt: Date; message: Buffer }[] {
  return targets.map((target, i) => {
    const sentAt = new Date(start.getTime() + i * SPACING_MS);
    return { sentAt, message: phish(target, i, sentAt.toUTCString().replace('GMT', '+0000')) };
  });
}

function phish(target: WaveTarget, i: number, date: string): Buffer {
  if (i % 3 === 2) {
      return message(
        { From: `Example Phone Shop Delivery <delivery.notice.${i}@gmail.com>`, To: target.email, Subject: `Your parcel for order ${target.order} is on hold`, Date: date, 'Message-ID': `<parcel-${i}@mail.gmail.com>` },
        `Hello ${target.name},\n\nyour parcel for order ${target.order} is held at our depot because the customs fee was not paid. Pay the fee within 48 hours through https://${WAVE_DOMAINS.parcel}/parcel/${target.order} or the parcel goes back to the sender.\n\nExample Phone Shop logistics`,
      );
    }
    const domain = i % 3 === 0 ? WAVE_DOMAINS.payment : WAVE_DOMAINS.paymentAgain;
    return message(
      { From: `Example Phone Shop <service@${domain}>`, 'Return-Path': `<bounce@${domain}>`, To: target.email, Subject: 'Action required: re-verify your payment', Date: date, 'Message-ID': `<verify-${i}@${domain}>` },
      `Dear ${target.name},\n\nwe could not process the payment for your order ${target.order}. To keep your order, re-verify your card details on our secure payment page within 24 hours: https://${domain}/verify?order=${target.order}\n\nWe apologise for the inconvenience.\nExample Phone Shop customer service`,
    );
}
