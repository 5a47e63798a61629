import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EmailCategory } from './email-classifier';
import { EmailParseError } from './email-parse-error';
import { parseInboundEmail } from './inbound-email-parser';
import type { ParsedEmail } from './parsed-email';

// Real mail from public test suites, shared by the team outside the repository (see its README.md).
const SAMPLES = path.resolve(__dirname, '../../../../../shared/testdata/mail');
const NOW = new Date('2026-03-05T12:00:00Z');
const PER_FILE_MS = 15_000;
/** The stress samples parse in about 2 s on a quiet machine; minutes would mean a quadratic path. */
const STRESS_MS = 60_000;

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [path.relative(SAMPLES, full)];
  });
}

const available = existsSync(SAMPLES);
if (!available) console.warn(`Skipping the real-mail samples: ${SAMPLES} does not exist`);
const files = available ? listFiles(SAMPLES).sort() : [];
const emlFiles = files.filter((file) => file.endsWith('.eml'));
const read = (file: string): Buffer => readFileSync(path.join(SAMPLES, file));
const parse = (file: string): Promise<ParsedEmail> => parseInboundEmail(read(file), { now: NOW });

// The Message-ID of each returned message, read out of the files with Python's email package (the
// message/rfc822 or text/rfc822-headers part, else the headers quoted in the body); null where the
// returned message is missing or has no Message-ID.
const BOUNCES: Record<string, string | null> = {
  'mailparser/delivery-status.eml': '<xxxxx@email.amazonses.com>',
  'postal-mime/bounce.eml': '<e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com>',
  'sisimai/bsd-lhost-googlegroups-03.eml': '<66C1F946-C1BB-4CC3-BE6C-E59D77ADA7C5@example.jp>',
  'sisimai/bsd-lhost-googlegroups-08.eml': '<020B2024-D483-4DE0-BD99-699068C706FC@example.jp>',
  'sisimai/bsd-lhost-googlegroups-10.eml': '<51E2AB79-95D6-4371-95E6-808D34B37539@example.jp>',
  'sisimai/bsd-lhost-postfix-01.eml': null,
  'sisimai/bsd-lhost-postfix-02.eml': null,
  'sisimai/bsd-lhost-postfix-03.eml': '<20140701000000.000000000000@e1.example.ne.jp>',
  'sisimai/bsd-lhost-postfix-04.eml': '<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>',
  'sisimai/bsd-lhost-postfix-05.eml': '<FFFFFFFF.0000000@example.co.jp>',
  'sisimai/bsd-lhost-postfix-06.eml': '<20141024104625.9C81E2203D@vagrant-centos65.vagrantup.com>',
  'sisimai/bsd-lhost-postfix-07.eml': '<8EF96F3F-377B-4E4D-9F3C-54EE1924B2BA@mirror.example.ne.jp>',
  'sisimai/bsd-lhost-postfix-08.eml': '<143E20AB-3911-4809-8B49-BB1A17513571@mail.ru>',
  'sisimai/bsd-lhost-postfix-09.eml': '<20140913142357>',
  'sisimai/bsd-rfc3464-01.eml': '<E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org>',
  'sisimai/bsd-rfc3464-03.eml': '<220000000022.0000.0000000000000000222@NEKO.NYAAN>',
  'sisimai/bsd-rfc3464-04.eml': '<00000000000.000000@mx4.example.co.jp>',
  'sisimai/bsd-rfc3464-06.eml': '<0000000000.0000000@mail.example.com>',
  'sisimai/bsd-rfc3464-07.eml': '<000000000000000@list.example.jp>',
  'sisimai/bsd-rfc3464-08.eml': '<000000000000000000000000000000@mx.example.or.jp>',
  'sisimai/bsd-rfc3464-09.eml': '<00000000000000000000000000000000000000000@example.org>',
  'sisimai/bsd-rfc3464-10.eml': '<c15e793e1c6acf9fbc39d1547bbd98b4@example.com>',
  'sisimai/bsd-rfc3464-26.eml': '<ALSMTP02OCIIZS2TRqf0001e76b@example.net>',
  'sisimai/bsd-rfc3464-28.eml': '<20151025071802.22CC00222233@neko-222-2222.vs.example.ne.jp>',
  'sisimai/bsd-rfc3464-29.eml': '<neko-nyaan-cats@example.org>',
  'sisimai/bsd-rfc3464-34.eml': '<20170429233445.FFFFFFFF02@smtp.neko.example.org>',
  'sisimai/bsd-rfc3464-35.eml': null,
  'sisimai/bsd-rfc3464-36.eml': null,
  'sisimai/bsd-rfc3464-37.eml': '<ffffffffffff000000002222000000000@e3.example.com>',
  'sisimai/bsd-rfc3464-38.eml': null,
  'sisimai/bsd-rfc3464-39.eml': null,
  'sisimai/bsd-rfc3464-40.eml': '<ffffffffffffffffffffffff00000000@example.org>',
  'sisimai/bsd-rfc3464-42.eml': null,
  'sisimai/bsd-rfc3464-43.eml': '<2EB7A4F3-7355-4A23-BF76-994FEB74C919@example.jp>',
  'sisimai/bsd-rfc3464-51.eml': '<00222222-2222-2222-2222-FF00FFFF0000@example.jp>',
  'sisimai/bsd-rfc3464-52.eml': '<CAByYQsEVA+zJMnugH3M98xXcDj5XHp8HYsGtb5_r9Jd8LuyF=Q@mail.gmail.example.com>',
  'sisimai/bsd-rfc3464-53.eml': '<CAByYQsHoD+W5rSuhuhywef6ctb4__6whKo4VQCZk+LSM+HUZNA@mail.gmail.example.com>',
  'sisimai/bsd-rfc3464-54.eml': '<CAByYQsHXg2cXwxngxkcwej84LqcVDd4CpoHv+ens3ZfwWodAnQ@mail.gmail.example.com>',
  'sisimai/bsd-rfc3464-55.eml': '<CAByYQsFyrGN=Aa73R9b-3-tiR7uFpUan+9CAWRmKP4z_GriF5Q@mail.gmail.example.com>',
  'sisimai/bsd-rfc3464-56.eml': '<CAByYQsFyrGN=Aa73R9b-3-tiR7uFpUan+9CAWRmKP4z_GriF5Q@mail.gmail.example.com>',
  'sisimai/bsd-rfc3464-57.eml': '<CAByYQsGNYchW5-rGA6r51tLL-hiL6V-y_KsgPd4LNDvjPWuQww@mail.gmail.com>',
  'sisimai/bsd-rfc3464-58.eml': '<CAByYQsEX_JRXGPsXSPPDkp_7RcmLbQcOERwTgCTFt-kq-ayXjQ@mail.gmail.com>',
  'sisimai/bsd-rfc3464-59.eml': '<CAByYQsF+iu-pg8_aLPvKr9sJjMqxhsHwLMJjMoozvvwWHH26TA@mail.gmail.com>',
  'sisimai/bsd-rfc3464-60.eml': '<CAByYQsEX6bB+d2sbUd8WPqcEJcxaSNmzSe4mO0fLoAF56Wdo4Q@mail.gmail.com>',
  'sisimai/bsd-rfc3464-61.eml': '<160000000000.2022.837987497898796986@NEKO-NYAAN-22>',
  'sisimai/bsd-rfc3464-62.eml': '<CAByYQsEsy_6KEHCuspEbEKOo1p=Y5Q-xE3PbJQokvWTuC=X5Rw@mail.gmail.com>',
  'sisimai/bsd-rfc3464-63.eml': '<144493c0-8548-4b2b-987f-ae719df82545@Spark>',
  'sisimai/bsd-rfc3464-64.eml': '<CAByYQsGge+O7Z6G5c06TEcL1SN7zSeON58xdcyueZqK1LWMjxw@mail.gmail.com>',
  'sisimai/bsd-rfc3464-65.eml': '<002b01d2a4bb$028be941$b756c59a@example>',
  'sisimai/bsd-rfc3464-66.eml': null,
};

// Recipients and status codes as the files state them (DSN fields, X-Failed-Recipients or the text).
const BOUNCE_RECIPIENTS: Record<string, [string, string | null, string | null][]> = {
  'sisimai/bsd-lhost-postfix-02.eml': [
    ['filtered@example.co.jp', 'failed', '5.2.1'],
    ['userunknown@example.co.jp', 'failed', '5.1.1'],
  ],
  'sisimai/bsd-rfc3464-35.eml': [
    ['kijitora@nyaan.example.com', 'failed', '5.0.0'],
    ['sabatora@cat.example.net', 'delayed', '4.0.0'],
    ['mikeneko@neko.example.or.jp', 'failed', '5.0.0'],
  ],
  'sisimai/bsd-rfc3464-04.eml': [['kijitora@mailx-53.neko.example.edu', 'failed', '5.5.0']],
  'sisimai/bsd-rfc3464-34.eml': [['kijitora@example.com', 'delayed', '4.4.1']],
  'sisimai/bsd-lhost-googlegroups-03.eml': [['libsisimai@googlegroups.com', 'failed', null]],
  'sisimai/bsd-lhost-postfix-07.eml': [['kijitora@user.example.or.jp', 'failed', null]],
  'sisimai/bsd-rfc3464-38.eml': [['kijitora-nyaan@example.jp', 'failed', null]],
  'sisimai/bsd-rfc3464-39.eml': [['kijitora@nyaan.example.net', 'failed', null]],
};

// Words read out of the files with Python's email package (decoded once, outside this code).
const DECODED_WORDS: Record<string, { subject?: string; text: string[] }> = {
  'demisto/chinese_big5_encoding.eml': { text: ['圖形碼'] },
  'demisto/chinese_gb2312_encoding.eml': { text: ['你好，我是程序员，很高兴认识你'] },
  'demisto/chinese_gbk_encoding.eml': { text: ['你好，中国'] },
  'demisto/chinese_iso_2022_jp_encoding.eml': { text: ['中文字'] },
  'demisto/chinese_email_test.eml': {
    subject: '示例邮件',
    text: ['这是一个示例邮件，用于演示指定的条件。', '它使用了 UTF-8 编码', '发件人'],
  },
  'demisto/utf_8_email.eml': { subject: 'Test UTF Email', text: ['With hebrew:', 'עברית', 'Done body'] },
};

// Samples that are not bounces, with what they are instead. rb-issue-368 is a mailbox-full notice
// that carries no delivery-status part, only Auto-Submitted: it is kept away from conversations as
// an auto-reply, and sisimai's own suite files it as "not a bounce".
const NOT_BOUNCES: Record<string, EmailCategory> = {
  'sisimai/not-is-not-bounce-01.eml': 'personal',
  'sisimai/not-is-not-bounce-02.eml': 'personal',
  'sisimai/not-rb-issue-368-bug.eml': 'auto-reply',
};

const wellFormed = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;

if (!available) {
  describe.skip('real mail samples', () => {
    it(`needs ${SAMPLES}`, () => undefined);
  });
}

if (available)
  describe('real mail samples', () => {
    it('covers the whole folder, mail and licence files alike', () => {
      expect(files.length).toBeGreaterThanOrEqual(84);
      expect(emlFiles.length).toBeGreaterThanOrEqual(79);
      for (const table of [BOUNCES, DECODED_WORDS, NOT_BOUNCES]) {
        for (const file of Object.keys(table)) expect(emlFiles).toContain(file);
      }
    });

    it.each(files.filter((file) => !file.endsWith('.eml')))(
      'refuses %s, which is not mail, with a clear EmailParseError',
      async (file) => {
        const error: unknown = await parse(file).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(EmailParseError);
        expect((error as EmailParseError).code).toBe('not_an_email');
      },
    );

    it.each(emlFiles)(
      'parses %s into well-formed text without U+FFFD',
      async (file) => {
        const parsed = await parse(file);
        for (const value of [parsed.text, parsed.subject, parsed.newText, parsed.from?.name ?? '']) {
          expect(wellFormed(value)).toBe(true);
          expect(value).not.toContain('\uFFFD');
        }
        expect(parsed.messageId).toMatch(/^<[^<>\s]+>$/);
        expect(parsed.text).toContain(parsed.newText);
      },
      PER_FILE_MS,
    );

    it.each(Object.entries(DECODED_WORDS))('decodes %s to the words the file holds', async (file, expected) => {
      const parsed = await parse(file);
      if (expected.subject) expect(parsed.subject).toBe(expected.subject);
      for (const word of expected.text) expect(parsed.text).toContain(word);
    });

    it.each(emlFiles.filter((file) => path.basename(file).startsWith('bsd-rfc3834-')))(
      'classifies %s as an auto-reply',
      async (file) => {
        const parsed = await parse(file);
        expect(parsed.category).toBe('auto-reply');
        expect(parsed.bounce).toBeNull();
      },
    );

    it('lists every rfc3464 and Postfix/Google Groups sample in the bounce table', () => {
      const realBounces = emlFiles.filter((file) => /\/bsd-(rfc3464|lhost)-/.test(file));
      expect(realBounces.length).toBeGreaterThan(40);
      for (const file of realBounces) expect(Object.keys(BOUNCES)).toContain(file);
    });

    it.each(Object.entries(BOUNCES))('reads %s as a bounce of %s', async (file, originalMessageId) => {
      const parsed = await parse(file);
      expect(parsed.category).toBe('bounce');
      expect(parsed.bounce?.originalMessageId).toBe(originalMessageId);
      expect(parsed.bounce?.recipients.length).toBeGreaterThan(0);
      for (const recipient of parsed.bounce?.recipients ?? []) expect(recipient.address).toMatch(/^[^@\s]+@[^@\s]+$/);
    });

    it.each(Object.entries(BOUNCE_RECIPIENTS))('reads the recipients of %s', async (file, expected) => {
      const parsed = await parse(file);
      expect(parsed.bounce?.recipients.map((r) => [r.address, r.action, r.status])).toEqual(expected);
    });

    it.each(Object.entries(NOT_BOUNCES))('does not take %s for a bounce (%s)', async (file, category) => {
      const parsed = await parse(file);
      expect(parsed.category).not.toBe('bounce');
      expect(parsed.category).toBe(category);
    });

    it('reads the ARF sample as an abuse report about the spam it quotes', async () => {
      const parsed = await parse('postal-mime/arf.eml');
      expect(parsed.category).toBe('abuse-report');
      expect(parsed.abuseReport).toEqual({
        feedbackType: 'abuse',
        originalMessageId: '<8787KJKJ3K4J3K4J3K4J3.mail@example.net>',
        originalRecipients: ['user@example.com'],
        sourceIp: '192.0.2.1',
      });
    });

    describe('stress cases', () => {
      it.each([
        ['mailparser/large_text.eml', 'plain'],
        ['mailparser/outofmemory.eml', 'html'],
        ['mailparser/htmllargecallstack.eml', 'html'],
      ])(
        // A hang guard, not a speed test (speed is measured in bench/): a quadratic parse of these would take
        // minutes; the test's own timeout catches that without failing on a busy machine.
        'parses %s without hanging',
        async (file, source) => {
          const parsed = await parse(file);
          expect(parsed.textSource).toBe(source);
          expect(parsed.text.length + (parsed.html?.length ?? 0)).toBeGreaterThan(500_000);
        },
        STRESS_MS,
      );

      it('keeps the readable part of the oversized spam HTML', async () => {
        const parsed = await parse('mailparser/outofmemory.eml');
        expect(parsed.text).toContain('$1 million in Life Insurance Coverage');
      });

      it.each(['mailparser/large_text.eml', 'mailparser/outofmemory.eml', 'mailparser/htmllargecallstack.eml'])(
        'refuses %s under a smaller size limit',
        async (file) => {
          const error: unknown = await parseInboundEmail(read(file), { maxMessageBytes: 256 * 1024 }).then(
            () => null,
            (e: unknown) => e,
          );
          expect((error as EmailParseError).code).toBe('message_too_large');
        },
      );
    });

    it('keeps attachments and inline parts of the MIME samples', async () => {
      const nodemailer = await parse('mailparser/nodemailer.eml');
      const image = nodemailer.attachments.find((a) => a.contentType === 'image/png');
      expect(image?.content.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(nodemailer.attachments.some((a) => a.filename === 'notes.txt')).toBe(true);
      const screenshot = await parse('mailparser/base64encodedroot.eml');
      expect(screenshot.attachments.map((a) => [a.filename, a.contentType])).toEqual([['screenshot.png', 'image/png']]);
      const calendar = await parse('postal-mime/calendar-event.eml');
      expect(calendar.attachments.map((a) => a.contentType)).toContain('text/calendar');
    });
  });
