import {
  addressesInText,
  extractAbuseReport,
  extractBounceReport,
  findQuotedMessageId,
  parseDeliveryStatus,
  type ReportInput,
} from './bounce-report';
import { parseHeaderText } from './header-block';

const DSN = [
  'Reporting-MTA: dns; mx.library.org',
  'X-Original-Message-ID: <from-report-fields@library.org>',
  '',
  'Final-Recipient: rfc822; Reader@Example.COM',
  'Original-Recipient: rfc822;reader@example.com',
  'Action: failed',
  'Status: 5.1.1 (user unknown)',
  'Diagnostic-Code: smtp; 550 5.1.1 <reader@example.com>: Recipient',
  '  address rejected',
  '',
  'Original-Recipient: rfc822;other@example.net',
  'Action: Delayed',
  'Status: 4.4.1',
].join('\r\n');

function input(overrides: Partial<ReportInput>): ReportInput {
  return { headers: [], parts: [], text: '', inReplyTo: null, ...overrides };
}

const part = (contentType: string, text: string): { contentType: string; content: Buffer } => ({
  contentType,
  content: Buffer.from(text),
});

describe('parseDeliveryStatus', () => {
  it('reads one recipient per block with action, status and diagnostic', () => {
    expect(parseDeliveryStatus(DSN)).toEqual({
      originalMessageId: '<from-report-fields@library.org>',
      recipients: [
        {
          address: 'Reader@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: '550 5.1.1 <reader@example.com>: Recipient address rejected',
        },
        { address: 'other@example.net', action: 'delayed', status: '4.4.1', diagnosticCode: null },
      ],
    });
  });
});

describe('findQuotedMessageId', () => {
  it('finds the first Message-ID header line in a body, also when folded or quoted', () => {
    expect(findQuotedMessageId('Sorry.\n\nSubject: x\nMessage-Id: <a@b.example>\nMessage-ID: <c@d>')).toBe(
      '<a@b.example>',
    );
    expect(findQuotedMessageId('> Message-ID:\n>\n')).toBeNull();
    expect(findQuotedMessageId('headers:\nMessage-ID:\n   <folded@example.org>\n')).toBe('<folded@example.org>');
    expect(findQuotedMessageId('The Message-ID: <inline@example.org> is mid-sentence')).toBeNull();
  });
});

describe('extractBounceReport', () => {
  it('prefers the returned message over report fields, quoted text and In-Reply-To', () => {
    const report = extractBounceReport(
      input({
        parts: [
          part('message/delivery-status', DSN),
          part('message/rfc822', 'From: desk@library.org\r\nMessage-ID: <returned@library.org>\r\n\r\nHello'),
        ],
        text: 'Message-ID: <quoted@library.org>',
        inReplyTo: '<in-reply-to@library.org>',
      }),
    );
    expect(report.originalMessageId).toBe('<returned@library.org>');
    expect(report.recipients.map((r) => r.address)).toEqual(['Reader@example.com', 'other@example.net']);
    expect(report.status).toBe('5.1.1');
  });

  it.each([
    [
      [part('text/rfc822-headers', 'Subject: x\nMessage-Id: <headers@library.org>\n')],
      '',
      null,
      '<headers@library.org>',
    ],
    [[part('message/delivery-status', DSN)], 'Message-ID: <quoted@x>', null, '<from-report-fields@library.org>'],
    [[part('message/rfc822', '[original message goes here]')], 'Message-ID: <quoted@x>', null, '<quoted@x>'],
    [[], 'nothing quoted', '<in-reply-to@library.org>', '<in-reply-to@library.org>'],
    [[], 'nothing quoted', null, null],
  ])('falls back in order: parts %#', (parts, text, inReplyTo, expected) => {
    expect(extractBounceReport(input({ parts, text, inReplyTo })).originalMessageId).toBe(expected);
  });

  it('finds a returned Message-ID after a stray blank line in the returned headers', () => {
    const returned =
      'From: a@example.net\nReceived: by x;\n\nTo: b@example.com\nMessage-ID: bare.id@example.net\n\nSpam';
    const report = extractBounceReport(input({ parts: [part('message/rfc822', returned)] }));
    expect(report.originalMessageId).toBe('<bare.id@example.net>');
  });

  it('reads a report pasted into the text when there is no report part', () => {
    const report = extractBounceReport(input({ text: `The mail system\n\n${DSN}\n\nReturn-Path: <x@y>` }));
    expect(report.recipients).toHaveLength(2);
    expect(report.status).toBe('5.1.1');
  });

  it('lists X-Failed-Recipients, and the status code written in the text', () => {
    const headers = parseHeaderText('X-Failed-Recipients: a@example.org, B@Example.ORG\n');
    const report = extractBounceReport(input({ headers, text: 'host said: 550-5.1.1 The account does not exist' }));
    expect(report.recipients).toEqual([
      { address: 'a@example.org', action: 'failed', status: null, diagnosticCode: null },
      { address: 'B@example.org', action: 'failed', status: null, diagnosticCode: null },
    ]);
    expect(report.status).toBe('5.1.1');
  });

  it('names the recipients of a text bounce, leaving out its own addresses and help contacts', () => {
    const headers = parseHeaderText('From: MAILER-DAEMON@mx.example.org\nTo: desk@library.org\n');
    const text = [
      'For help write to <support@mx.example.org> or postmaster@mx.example.org.',
      '<reader@example.com>: host said: 550 User unknown',
      'Your message was sent by desk@library.org.',
      '',
      'Received: from library.org',
      'To: reader@example.com',
      'Cc: copy@example.net',
    ].join('\n');
    const report = extractBounceReport(input({ headers, text }));
    expect(report.recipients.map((r) => r.address)).toEqual(['reader@example.com']);
  });

  it('does not take IP addresses or version numbers for status codes', () => {
    const report = extractBounceReport(input({ text: 'relay 192.0.2.25 said no; Postfix 3.4.2.1' }));
    expect(report.status).toBeNull();
  });
});

describe('extractAbuseReport', () => {
  it('reads the feedback type, the reported message and its recipients', () => {
    const report = extractAbuseReport(
      input({
        parts: [
          part(
            'message/feedback-report',
            'Feedback-Type: Abuse\nUser-Agent: x\nVersion: 1\nOriginal-Rcpt-To: <reader@example.com>\nSource-IP: 192.0.2.1\n',
          ),
          part('message/rfc822', 'Message-ID: <newsletter-7@library.org>\nSubject: News\n\nBody'),
        ],
      }),
    );
    expect(report).toEqual({
      feedbackType: 'abuse',
      originalMessageId: '<newsletter-7@library.org>',
      originalRecipients: ['reader@example.com'],
      sourceIp: '192.0.2.1',
    });
  });
});

describe('addressesInText', () => {
  it('finds addresses around each @ and ignores what only looks like one', () => {
    expect(addressesInText('mail <A.Reader@Example.ORG>, x@localhost, @handle, b@c.d.example.')).toEqual([
      'A.Reader@example.org',
      'b@c.d.example',
    ]);
  });

  it('stays fast on a long run of address characters', () => {
    const started = Date.now();
    addressesInText(`${'a'.repeat(500_000)}@${'b'.repeat(500_000)}`);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
