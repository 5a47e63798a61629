import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

/** The files a self-hoster looks for first, kept true to package.json. */
describe('project files', () => {
  const pkg = JSON.parse(read('package.json')) as { license: string; engines: { node: string } };

  it('has a LICENSE naming the license package.json declares', () => {
    expect(pkg.license).toBe('AGPL-3.0-or-later');
    const license = read('LICENSE');
    expect(license).toContain(`SPDX-License-Identifier: ${pkg.license}`);
    expect(license).toContain('GNU Affero General Public License');
    expect(license).toMatch(/either version 3 of the License, or \(at\s+your option\) any later version/);
  });

  it('has an .nvmrc whose Node.js major the engines field accepts', () => {
    const major = read('.nvmrc').trim();
    expect(major).toMatch(/^\d+$/);
    expect(pkg.engines.node).toMatch(new RegExp(`(^|\\s)>=${major}\\.`));
  });

  it('says how to report a vulnerability, how to contribute, and what changed', () => {
    expect(read('SECURITY.md')).toMatch(/do not open a public issue/i);
    const contributing = read('CONTRIBUTING.md');
    for (const text of ['npm install && npm start', 'npm test', 'npm run lint', 'int:postgres', 'e2e:sqlite'])
      expect(contributing).toContain(text);
    expect(read('CHANGELOG.md')).toMatch(/^## \[Unreleased\]/m);
    expect(existsSync(join(ROOT, 'ARCHITECTURE.md'))).toBe(true);
  });
});
