import { describe, expect, it } from 'vitest';
import { parseDeliveryStatus } from './dsn.ts';

const report = (status: string) =>
  Buffer.from(
    [
      'From: postmaster@mx.example.net',
      'Subject: Delivery Status Notification (Failure)',
      'X-Original-Message-ID: <abc123.7.0011223344@shop.example.com>',
      'Content-Type: multipart/report; report-type=delivery-status; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Delivery has failed.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      status,
      '--b--',
      '',
    ].join('\r\n'),
  );

describe('parseDeliveryStatus', () => {
  it('reads each recipient block, folded diagnostics joined, and the Message-IDs the report names', async () => {
    const parsed = await parseDeliveryStatus(
      report(
        [
          'Reporting-MTA: dns; mx.example.net',
          '',
          'Final-Recipient: rfc822; <ana@example.org>',
          'Action: failed',
          'Status: 5.7.1',
          'Diagnostic-Code: smtp; 550-5.7.1 The user you are trying to contact',
          '  is not receiving mail at this rate',
          '',
          'Original-Recipient: rfc822;bo@example.org',
          'Action: delayed',
          'Status: 4.4.7',
        ].join('\r\n'),
      ),
    );
    expect(parsed).toEqual({
      messageIds: ['<abc123.7.0011223344@shop.example.com>'],
      recipients: [
        { recipient: 'ana@example.org', action: 'failed', status: '5.7.1', diagnostic: 'smtp; 550-5.7.1 The user you are trying to contact is not receiving mail at this rate' },
        { recipient: 'bo@example.org', action: 'delayed', status: '4.4.7', diagnostic: null },
      ],
    });
  });

  it('answers null for a message that is not a delivery report', async () => {
    expect(await parseDeliveryStatus(Buffer.from('From: ana@example.org\r\nSubject: Re: your notice\r\n\r\nThanks!'))).toBeNull();
  });
});
