import { describe, expect, it } from 'vitest';
import type { ClaimedNotice } from './claims.ts';
import { Dispatcher, type Dispatchable } from './dispatcher.ts';
import type { DeliveryResult, OutgoingMessage, Transport } from '../mail/index.ts';

/** A transport that answers at once, as `answer` says, noting when each message arrived. */
function fakeTransport(answer: (message: OutgoingMessage) => DeliveryResult = () => ({ kind: 'accepted', reply: '250 ok' })) {
  const arrivals: { to: string; at: number }[] = [];
  const transport: Transport = {
    description: 'fake',
    verify: async () => {},
    deliver: async (message) => {
      arrivals.push({ to: message.to, at: performance.now() });
      return answer(message);
    },
    close: async () => {},
  };
  return { transport, arrivals };
}

function item(to: string): Dispatchable {
  const domain = to.slice(to.indexOf('@') + 1);
  return { notice: { subject: to } as ClaimedNotice, domain, messageId: `<${to}>`, message: { from: 'n@shop.example.com', to, raw: Buffer.alloc(0), name: to } };
}

/** Runs items through a dispatcher until every one has its result. */
function dispatch(transport: Transport, limits: { rate: number; perDomain: number }, items: Dispatchable[]): Promise<DeliveryResult[]> {
  return new Promise((resolve) => {
    const results: DeliveryResult[] = [];
    const dispatcher = new Dispatcher(transport, { ...limits, maxInFlight: 4 }, (_, result) => {
      results.push(result);
      if (results.length === items.length) resolve(results);
    });
    dispatcher.enqueue(items);
  });
}

describe('Dispatcher', () => {
  it('keeps to the global rate', async () => {
    const { transport, arrivals } = fakeTransport();
    await dispatch(transport, { rate: 200, perDomain: Infinity }, Array.from({ length: 40 }, (_, i) => item(`p${i}@d${i % 7}.example`)));
    const seconds = (arrivals.at(-1)!.at - arrivals[0].at) / 1000;
    expect(seconds).toBeGreaterThan(0.14);
  });

  it('does not let a slow domain hold the others up', async () => {
    const { transport, arrivals } = fakeTransport();
    // Ten for one domain at 20/s take half a second; thirty spread over fifteen domains, two each, go at once.
    const crowded = Array.from({ length: 10 }, (_, i) => item(`c${i}@crowded.example`));
    const spread = Array.from({ length: 30 }, (_, i) => item(`s${i}@d${i % 15}.example`));
    await dispatch(transport, { rate: Infinity, perDomain: 20 }, [...crowded, ...spread]);
    const started = arrivals[0].at;
    const last = (prefix: string) => Math.max(...arrivals.filter((a) => a.to.startsWith(prefix)).map((a) => a.at)) - started;
    expect(last('c')).toBeGreaterThan(400);
    expect(last('s')).toBeLessThan(150);
  });

  it('slows down a domain that answers 4xx', async () => {
    let refused = 0;
    const { transport, arrivals } = fakeTransport((message) =>
      message.to.endsWith('@busy.example') && refused++ === 0 ? { kind: 'transient', reply: '421 4.7.0 Try again later', deferredByServer: true } : { kind: 'accepted', reply: '250 ok' },
    );
    await dispatch(transport, { rate: Infinity, perDomain: Infinity }, Array.from({ length: 12 }, (_, i) => item(`b${i}@busy.example`)));
    // Four at once (as many as may be in flight), then the 421: ten a second, a tenth faster after each success.
    expect(arrivals.at(-1)!.at - arrivals[0].at).toBeGreaterThan(350);
  });

  it("tells each domain's throttle: queued, in flight, slowed down with the codes of its 4xx, never the words", async () => {
    const answers: ((result: DeliveryResult) => void)[] = [];
    const transport: Transport = { description: 'held', verify: async () => {}, deliver: () => new Promise((resolve) => answers.push(resolve)), close: async () => {} };
    const dispatcher = new Dispatcher(transport, { rate: Infinity, perDomain: 20, maxInFlight: 2 }, () => {});
    dispatcher.enqueue([item('a@busy.example'), item('b@calm.example'), item('c@busy.example'), item('d@busy.example')]);
    const byDomain = () => Object.fromEntries(dispatcher.throttles(performance.now()).map(({ domain, ...state }) => [domain, state]));
    expect(byDomain()).toMatchObject({ 'busy.example': { queued: 2, inFlight: 1, rate: 20, limit: 20, slowedForMs: null, deferrals: 0 }, 'calm.example': { queued: 0, inFlight: 1 } });
    answers[0]({ kind: 'transient', reply: '451 4.7.1 <a@busy.example>: Greylisted, try again', deferredByServer: true });
    answers[1]({ kind: 'accepted', reply: '250 ok' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const { 'busy.example': busy, 'calm.example': calm } = byDomain();
    expect(busy).toMatchObject({ rate: 10, deferrals: 1, lastDeferral: '451 4.7.1' });
    expect(busy.slowedForMs).toBeGreaterThanOrEqual(0);
    expect(calm).toMatchObject({ queued: 0, inFlight: 0, rate: 20, slowedForMs: null, deferrals: 0, lastDeferral: null });
    expect(JSON.stringify(byDomain())).not.toContain('@');
    dispatcher.withdraw();
  });
});
