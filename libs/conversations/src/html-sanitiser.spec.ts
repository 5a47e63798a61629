import { sanitiseHtml } from './html-sanitiser';

describe('sanitiseHtml', () => {
  it('removes scripts, event handlers, javascript: links, styles and frames', () => {
    const dirty =
      '<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a>' +
      '<img src="x" onerror="alert(1)"><iframe src="https://evil.example"></iframe><style>p{}</style><svg onload="alert(1)"></svg>';
    const clean = sanitiseHtml(dirty);
    expect(clean).not.toMatch(/script|onclick|onerror|onload|javascript:|iframe|<style|<svg/i);
    expect(clean).toContain('<p>Hi</p>');
  });

  it('keeps ordinary formatting and makes links safe to open', () => {
    const clean = sanitiseHtml(
      '<p><strong>Due</strong> <a href="https://library.example/renew">renew</a></p><ul><li>one</li></ul>',
    );
    expect(clean).toContain('<strong>Due</strong>');
    expect(clean).toContain('href="https://library.example/renew"');
    expect(clean).toContain('rel="noopener noreferrer nofollow"');
    expect(clean).toContain('<ul><li>one</li></ul>');
  });
});
