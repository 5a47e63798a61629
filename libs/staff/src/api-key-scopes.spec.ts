import { DomainError } from '@readerdesk/platform';
import { apiKeyMayCall, parseApiKeyScopes } from './api-key-scopes';

const INBOX = '0195f3c2-7a4b-7c1d-8e2f-1a2b3c4d5e6f';
const OTHER = '0195f3c2-7a4b-7c1d-8e2f-ffffffffffff';

describe('API key scopes', () => {
  it('parses read, admin and ingest:<inbox id>, lower-cased and without repeats', () => {
    expect(parseApiKeyScopes(['READ', `ingest:${INBOX.toUpperCase()}`, `ingest:${INBOX}`, 'admin'])).toEqual({
      scopes: ['read', `ingest:${INBOX}`, 'admin'],
      inboxIds: [INBOX],
    });
  });

  it.each([[[]], [['write']], [['ingest:']], [['ingest:not-a-uuid']], [['read', 'ingest:*']]])(
    'refuses %j with invalid_api_key_scope',
    (scopes) => {
      let thrown: unknown;
      try {
        parseApiKeyScopes(scopes);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ code: 'invalid_api_key_scope', status: 400 });
    },
  );

  it('lets an ingest key call only the route that names its inbox', () => {
    const ingest = [`ingest:${INBOX}`];
    const post = { method: 'POST', role: 'administrator' as const, staffOnly: false };
    expect(apiKeyMayCall(ingest, { ...post, scope: `ingest:${INBOX}` })).toBe(true);
    expect(apiKeyMayCall(ingest, { ...post, scope: `ingest:${OTHER}` })).toBe(false);
    expect(apiKeyMayCall(ingest, { method: 'GET', staffOnly: false })).toBe(false);
    expect(apiKeyMayCall(ingest, { ...post, scope: `ingest:${INBOX}`, staffOnly: true })).toBe(false);
  });

  it('lets a read key use the GET routes of agents only, and an admin key administrator routes too', () => {
    expect(apiKeyMayCall(['read'], { method: 'GET', staffOnly: false })).toBe(true);
    expect(apiKeyMayCall(['read'], { method: 'HEAD', role: 'agent', staffOnly: false })).toBe(true);
    expect(apiKeyMayCall(['read'], { method: 'GET', role: 'supervisor', staffOnly: false })).toBe(false);
    expect(apiKeyMayCall(['read'], { method: 'POST', staffOnly: false })).toBe(false);
    expect(apiKeyMayCall(['read'], { method: 'POST', role: 'administrator', staffOnly: false })).toBe(false);
    expect(apiKeyMayCall(['admin'], { method: 'GET', role: 'supervisor', staffOnly: false })).toBe(true);
    expect(apiKeyMayCall(['admin'], { method: 'PATCH', role: 'administrator', staffOnly: false })).toBe(true);
    // Work that records an author (a reply, a note) needs a member of staff.
    expect(apiKeyMayCall(['admin'], { method: 'POST', staffOnly: false })).toBe(false);
    expect(apiKeyMayCall(['admin'], { method: 'GET', staffOnly: true })).toBe(false);
    expect(apiKeyMayCall([], { method: 'GET', staffOnly: false })).toBe(false);
  });
});
