import { decodeEntities, htmlToText } from './html-to-text';

describe('htmlToText', () => {
  it('keeps paragraphs and line breaks and drops tags', () => {
    const html = '<html><body><p>Dear <b>library</b>,</p><p>can I renew<br>my loan?</p><div>Thanks</div></body></html>';
    expect(htmlToText(html)).toBe('Dear library,\n\ncan I renew\nmy loan?\n\nThanks');
    expect(htmlToText('<div>one</div><div>two</div>')).toBe('one\ntwo');
  });

  it('drops the head, scripts, styles and comments', () => {
    const html =
      '<head><title>Newsletter</title><style>p { color: red }</style></head>' +
      '<body><!-- tracking --><script>alert("x")</script><p>Visible</p></body>';
    expect(htmlToText(html)).toBe('Visible');
  });

  it('decodes named and numeric entities', () => {
    expect(htmlToText('<p>Caf&eacute; &amp; B&uuml;cher &ndash; &#8364;5 &#x1F4DA; &lt;tag&gt;&nbsp;ok</p>')).toBe(
      'Café & Bücher – €5 📚 <tag> ok',
    );
  });

  it('collapses source whitespace but keeps preformatted text', () => {
    expect(htmlToText('<p>one\n   two</p><pre>a\n  b</pre>')).toBe('one two\n\na\n  b');
  });

  it('lists items and separates table cells', () => {
    expect(htmlToText('<ul><li>first</li><li>second</li></ul><table><tr><td>a</td><td>b</td></tr></table>')).toBe(
      '- first\n- second\n\na b',
    );
  });

  it('leaves a lone < that starts no tag as text', () => {
    expect(htmlToText('<p>3 < 4 and 5 <= 6</p>')).toBe('3 < 4 and 5 <= 6');
  });

  it('stays linear on hostile markup', () => {
    const hostile = '<a href="'.repeat(20_000) + '<'.repeat(200_000) + '&#'.repeat(100_000) + ' x'.repeat(100_000);
    const started = Date.now();
    htmlToText(hostile);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('decodeEntities', () => {
  it('needs the semicolon except for the entities browsers accept without it', () => {
    expect(decodeEntities('?a=1&copy=2 &amp x &copy; &unknown;')).toBe('?a=1&copy=2 & x © &unknown;');
  });

  it('replaces references to invalid code points', () => {
    expect(decodeEntities('&#0;&#xD800;&#1114112;')).toBe('\uFFFD\uFFFD\uFFFD');
  });

  it("knows all of HTML5's named references, not only Latin-1 and typography", () => {
    expect(decodeEntities('&hearts; &Alpha;&beta; &check; &nbsp;x &NotEqual; &frac13;')).toBe('♥ Αβ ✓ \u00a0x ≠ ⅓');
  });
});
