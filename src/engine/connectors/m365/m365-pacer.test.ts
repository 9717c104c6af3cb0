import { describe, expect, it } from 'vitest';
import { MailboxPacer } from './m365-pacer.js';

const limits = { concurrency: 2, requestsPerWindow: 20, windowMs: 1000, uploadBytesPerWindow: 100, uploadWindowMs: 500 };

describe('MailboxPacer', () => {
  it('never lets more than `concurrency` requests of one mailbox run at once; other mailboxes are independent', async () => {
    const pacer = new MailboxPacer(limits);
    const a1 = await pacer.acquire('a');
    const a2 = await pacer.acquire('a');
    let third = false;
    const waiting = pacer.acquire('a').then((release) => { third = true; return release; });
    const b1 = await pacer.acquire('b');
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    expect(pacer.inFlight('a')).toBe(2);
    a1();
    (await waiting)();
    expect(third).toBe(true);
    a2();
    b1();
    expect(pacer.inFlight('a')).toBe(0);
  });

  it('stays below the request budget: the wait is until the oldest request leaves the window', () => {
    let now = 0;
    const pacer = new MailboxPacer(limits, () => now);
    pacer.note('a', 20); // 20 less 1 % reserved, rounded down
    expect(pacer.budgetWait('a')).toBe(1001);
    now = 600;
    expect(pacer.budgetWait('a')).toBe(401);
    now = 1001;
    expect(pacer.budgetWait('a')).toBe(0);
  });

  it('counts a request from its response, and in full while it is in flight, so the server never counts more', async () => {
    let now = 0;
    const pacer = new MailboxPacer({ ...limits, concurrency: 20 }, () => now);
    pacer.note('a', 18);
    const slow = await pacer.acquire('a');
    const fast = await pacer.acquire('a');
    // 20 counted: two still unanswered
    now = 500;
    fast();
    expect(pacer.budgetWait('a')).toBe(501);
    now = 1001;
    // the 18 noted at 0 left; the one answered at 500 and the open one remain
    expect(pacer.budgetWait('a')).toBe(0);
    now = 1200;
    slow();
    pacer.note('a', 18);
    expect(pacer.budgetWait('a')).toBe(301);
  });

  it('paces uploads by bytes per window, and lets an item larger than the budget go alone', () => {
    let now = 0;
    const pacer = new MailboxPacer(limits, () => now);
    expect(pacer.budgetWait('a', 500)).toBe(0);
    return pacer.acquire('a', { uploadBytes: 80 }).then((release) => {
      release();
      expect(pacer.budgetWait('a', 30)).toBe(501);
      now = 501;
      expect(pacer.budgetWait('a', 30)).toBe(0);
    });
  });

  it('after a long Retry-After, the mailbox is THROTTLED for impatient callers instead of digging deeper', async () => {
    const pacer = new MailboxPacer(limits);
    pacer.block('a', 30_000, 'Microsoft 365 throttled mailferry');
    await expect(pacer.acquire('a')).rejects.toMatchObject({ code: 'THROTTLED', userMessage: expect.stringContaining('Microsoft 365 throttled mailferry') });
    expect(pacer.inFlight('a')).toBe(0);
    const other = await pacer.acquire('b');
    other();
  });
});
