import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { HandleKind } from './reader-handle.entity';

export interface NormalisedHandle {
  kind: HandleKind;
  value: string;
  raw: string;
  valid: boolean;
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

/**
 * Turns what a channel hands over into the value identity resolution matches on. Something that
 * cannot be normalised is still kept — verbatim and flagged — so that the same odd value finds the
 * same reader next time and staff can see it.
 */
export function normaliseHandle(kind: HandleKind, raw: string, defaultCountry: string): NormalisedHandle {
  const given = raw.trim();
  switch (kind) {
    case 'email': {
      const bare = given
        .replace(/^mailto:/i, '')
        .replace(/^.*<([^>]+)>\s*$/, '$1')
        .trim();
      const value = bare.toLowerCase();
      return { kind, value, raw: given, valid: EMAIL.test(value) };
    }
    case 'phone': {
      const parsed = parsePhoneNumberFromString(given, defaultCountry.toUpperCase() as CountryCode);
      if (parsed?.isValid()) return { kind, value: parsed.number, raw: given, valid: true };
      return { kind, value: given, raw: given, valid: false };
    }
    case 'card':
      return { kind, value: given.replace(/[\s-]/g, '').toUpperCase(), raw: given, valid: given.length > 0 };
    case 'chat':
      return { kind, value: given, raw: given, valid: given.length > 0 };
  }
}
