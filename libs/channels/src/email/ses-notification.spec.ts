import { parseInboundEmail } from './inbound-email-parser';
import { leadingJsonObject, readSesNotification, SES_JSON_MAX_CHARS } from './ses-notification';

const DESK_ID = '<7f1c2a9e-0b1d-4c35-9a51-3d1b2c4e5f60@riverside.example.org>';
const SES_ID = '0102018c3e7a1f2b-6a1e0c1b-7d3f-4e52-9a1b-2c3d4e5f6a7b-000000';

const mail = (overrides: Record<string, unknown> = {}) => ({
  timestamp: '2026-12-02T10:00:00.000Z',
  source: 'ask@riverside.example.org',
  sourceArn: 'arn:aws:ses:eu-west-1:123456789012:identity/riverside.example.org',
  sourceIp: '203.0.113.7',
  sendingAccountId: '123456789012',
  messageId: SES_ID,
  destination: ['Maria.Gonzalez@Example.ORG'],
  headersTruncated: false,
  headers: [
    { name: 'From', value: 'Riverside Library <ask@riverside.example.org>' },
    { name: 'To', value: 'maria.gonzalez@example.org' },
    { name: 'Message-ID', value: DESK_ID },
    { name: 'Subject', value: 'Re: Renewals [#12]' },
  ],
  commonHeaders: {
    from: ['Riverside Library <ask@riverside.example.org>'],
    to: ['maria.gonzalez@example.org'],
    messageId: DESK_ID,
    subject: 'Re: Renewals [#12]',
  },
  ...overrides,
});

// The notification SES sends to an SNS topic (notificationType), as the "email" subscription delivers it.
const PERMANENT_BOUNCE = {
  notificationType: 'Bounce',
  bounce: {
    feedbackId: '0102018c3e7a2222-aaaa-bbbb-cccc-dddddddddddd-000000',
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [
      {
        emailAddress: 'Maria.Gonzalez@Example.ORG',
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 <maria.gonzalez@example.org>: Recipient address rejected: User unknown',
      },
    ],
    timestamp: '2026-12-02T10:00:02.000Z',
    remoteMtaIp: '198.51.100.25',
    reportingMTA: 'dsn; a1-23.smtp-out.eu-west-1.amazonses.com',
  },
  mail: mail(),
};

// A configuration set's event publishing form (eventType), transient, without action or status.
const TRANSIENT_EVENT = {
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    bouncedRecipients: [{ emailAddress: 'maria.gonzalez@example.org', diagnosticCode: 'smtp; 552 5.2.2 Mailbox full' }],
  },
  mail: mail({ headers: undefined }),
};

const COMPLAINT = {
  notificationType: 'Complaint',
  complaint: {
    complainedRecipients: [{ emailAddress: 'maria.gonzalez@example.org' }],
    complaintFeedbackType: 'abuse',
    userAgent: 'Yahoo!-Mail-Feedback/1.0',
    feedbackId: '0102018c3e7a3333',
    timestamp: '2026-12-02T10:05:00.000Z',
  },
  mail: mail(),
};

// What an SNS "email-json" subscription delivers: the notification as a string in Message.
const envelope = (message: unknown): string =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: '8b5e4d6c-0d1f-5d0e-9c6b-1a2b3c4d5e6f',
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses-feedback',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-12-02T10:00:03.000Z',
    SignatureVersion: '1',
    Signature: 'RmFrZVNpZ25hdHVyZQ==',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
  });

// SNS's plain "email" protocol appends this after the message.
const SNS_FOOTER = [
  '',
  '--',
  'If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:',
  'https://sns.eu-west-1.amazonaws.com/unsubscribe.html?SubscriptionArn=arn:aws:sns:eu-west-1:1:ses-feedback:x',
  '',
  'Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support',
].join('\n');

describe('readSesNotification', () => {
  it('reads a permanent bounce into the DSN shape, naming the Message-ID the desk sent', () => {
    expect(readSesNotification(JSON.stringify(PERMANENT_BOUNCE, null, 2))).toEqual({
      kind: 'bounce',
      bounce: {
        originalMessageId: DESK_ID,
        recipients: [
          {
            address: 'Maria.Gonzalez@example.org',
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: '550 5.1.1 <maria.gonzalez@example.org>: Recipient address rejected: User unknown',
          },
        ],
        status: '5.1.1',
        permanent: true,
      },
    });
  });

  it('reads the event-publishing form; a transient bounce says so, its status taken from the diagnostic', () => {
    expect(readSesNotification(JSON.stringify(TRANSIENT_EVENT))).toEqual({
      kind: 'bounce',
      bounce: {
        originalMessageId: DESK_ID, // from commonHeaders: this notification carries no headers
        recipients: [
          {
            address: 'maria.gonzalez@example.org',
            action: 'delayed',
            status: '5.2.2',
            diagnosticCode: '552 5.2.2 Mailbox full',
          },
        ],
        status: '5.2.2',
        permanent: false,
      },
    });
  });

  it('reads a notification inside an SNS envelope, and one followed by the SNS email footer', () => {
    const inEnvelope = readSesNotification(envelope(PERMANENT_BOUNCE));
    expect(inEnvelope).toMatchObject({ kind: 'bounce', bounce: { originalMessageId: DESK_ID, permanent: true } });
    expect(readSesNotification(JSON.stringify(PERMANENT_BOUNCE) + SNS_FOOTER)).toEqual(inEnvelope);
  });

  it('reads a complaint into the abuse-report shape', () => {
    const expected = {
      kind: 'complaint',
      abuseReport: {
        feedbackType: 'abuse',
        originalMessageId: DESK_ID,
        originalRecipients: ['maria.gonzalez@example.org'],
        sourceIp: '203.0.113.7',
      },
    };
    expect(readSesNotification(JSON.stringify(COMPLAINT))).toEqual(expected);
    expect(readSesNotification(envelope(COMPLAINT))).toEqual(expected);
  });

  it("falls back to SES's own id, in the form SES writes it, only when the desk's Message-ID is missing", () => {
    const bare = { ...PERMANENT_BOUNCE, mail: mail({ headers: [{ name: 'From', value: 'x' }], commonHeaders: {} }) };
    expect(readSesNotification(JSON.stringify(bare))).toMatchObject({
      bounce: { originalMessageId: `<${SES_ID}@email.amazonses.com>` },
    });
    const hostileId = { ...bare, mail: { ...bare.mail, messageId: 'a b>@evil' } };
    expect(readSesNotification(JSON.stringify(hostileId))).toMatchObject({ bounce: { originalMessageId: null } });
  });

  it('leaves out what has the wrong type, and never throws', () => {
    const wrong = {
      notificationType: 'Bounce',
      bounce: {
        bounceType: 7,
        bouncedRecipients: [
          null,
          'someone@example.org',
          { emailAddress: ['a@example.org'] },
          { emailAddress: 'not an address' },
          { emailAddress: 'ok@example.org', action: 5, status: { code: 5 }, diagnosticCode: ['x'] },
        ],
      },
      mail: { headers: 'Message-ID: <x@y>', commonHeaders: { messageId: 42 }, messageId: { id: 1 } },
    };
    expect(readSesNotification(JSON.stringify(wrong))).toEqual({
      kind: 'bounce',
      bounce: {
        originalMessageId: null,
        recipients: [{ address: 'ok@example.org', action: null, status: null, diagnosticCode: null }],
        status: null,
        permanent: null,
      },
    });
    const bouncedRecipients = { notificationType: 'Bounce', bounce: { bouncedRecipients: { 0: 'x' } }, mail: [] };
    expect(readSesNotification(JSON.stringify(bouncedRecipients))).toMatchObject({
      bounce: { recipients: [], originalMessageId: null },
    });
    const complaint = {
      notificationType: 'Complaint',
      complaint: { complainedRecipients: 'x', complaintFeedbackType: 3 },
    };
    expect(readSesNotification(JSON.stringify(complaint))).toEqual({
      kind: 'complaint',
      abuseReport: { feedbackType: null, originalMessageId: null, originalRecipients: [], sourceIp: null },
    });
  });

  it.each([
    ['not JSON', 'Your message could not be delivered.'],
    ['broken JSON', '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent"'],
    ['a Bounce without its bounce object', '{"notificationType":"Bounce","mail":{}}'],
    ['a delivery notification', JSON.stringify({ notificationType: 'Delivery', delivery: {}, mail: mail() })],
    ['an SNS envelope whose Message is not a notification', envelope('Hello from SNS')],
    ['an SNS envelope whose Message is an object', JSON.stringify({ Type: 'Notification', Message: PERMANENT_BOUNCE })],
    ['an array', JSON.stringify([PERMANENT_BOUNCE])],
    ['JSON after prose', `Please see: ${JSON.stringify(PERMANENT_BOUNCE)}`],
  ])('reads nothing from %s', (_name, text) => {
    expect(readSesNotification(text)).toBeNull();
  });

  it('refuses hostile sizes and depths without parsing them', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const padded = JSON.stringify({ ...PERMANENT_BOUNCE, padding: 'x'.repeat(SES_JSON_MAX_CHARS) });
      expect(readSesNotification(padded)).toBeNull();
      const deep = `{"notificationType":"Bounce","bounce":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      expect(readSesNotification(deep)).toBeNull();
      expect(readSesNotification('{'.repeat(SES_JSON_MAX_CHARS * 2))).toBeNull();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('finds the end of the leading object past braces and escaped quotes inside strings', () => {
    expect(leadingJsonObject('  {"a":"}\\"{","b":[1,{"c":2}]}\n-- footer {')).toEqual({ a: '}"{', b: [1, { c: 2 }] });
  });
});

describe('parseInboundEmail with Amazon SES notifications', () => {
  const email = (body: string, headers: string[] = []): Buffer =>
    Buffer.from(
      [
        'From: AWS Notifications <no-reply@sns.amazonaws.com>',
        'To: ask@riverside.example.org',
        'Subject: AWS Notification Message',
        'Message-ID: <sns-1@eu-west-1.amazonses.com>',
        'Date: Wed, 02 Dec 2026 10:00:04 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        ...headers,
        '',
        body,
        '',
      ].join('\r\n'),
    );

  it('takes a bounce in an SNS envelope as a bounce about the desk’s message (not personal mail)', async () => {
    const parsed = await parseInboundEmail(
      email(envelope(PERMANENT_BOUNCE), ['x-amz-sns-message-id: 8b5e4d6c', 'x-amz-sns-topic-arn: arn:aws:sns:x']),
    );
    expect(parsed).toMatchObject({
      category: 'bounce',
      suspectedAutomatic: false,
      bounce: { originalMessageId: DESK_ID, permanent: true, recipients: [{ action: 'failed', status: '5.1.1' }] },
      abuseReport: null,
    });
  });

  it('takes a complaint in an SNS envelope as an abuse report about the desk’s message', async () => {
    const parsed = await parseInboundEmail(email(envelope(COMPLAINT)));
    expect(parsed).toMatchObject({
      category: 'abuse-report',
      bounce: null,
      abuseReport: { feedbackType: 'abuse', originalMessageId: DESK_ID },
    });
  });

  it('reads the details of a notification sent as the body itself', async () => {
    const parsed = await parseInboundEmail(email(JSON.stringify(PERMANENT_BOUNCE) + SNS_FOOTER));
    expect(parsed.bounce).toMatchObject({ originalMessageId: DESK_ID, status: '5.1.1', permanent: true });
  });
});
