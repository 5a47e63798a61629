import { SetMetadata } from '@nestjs/common';
import { DomainError } from '@readerdesk/platform';
import type { AgentRole } from './agent.entity';
import { StaffErrors } from './staff.errors';

/**
 * What an API key may do:
 * - `ingest:<inbox id>`: post inbound contacts to that inbox, and read nothing back but ids;
 * - `read`: the GET routes an agent may use, over the whole library (no department bounds);
 * - `admin`: what an administrator may do through GET routes and administrator routes.
 * No scope makes a key a member of staff: routes that record an author (replies, notes, assignments,
 * merges) and @StaffOnly routes (API keys themselves, the signed-in account) refuse every key.
 */
export type ApiKeyScope = 'read' | 'admin' | `ingest:${string}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const READING = new Set(['GET', 'HEAD']);

/** Checks and normalises scopes as an administrator writes them; the inbox ids still need checking against the library. */
export function parseApiKeyScopes(values: readonly string[]): { scopes: ApiKeyScope[]; inboxIds: string[] } {
  if (values.length === 0) throw new DomainError(StaffErrors.invalidApiKeyScope, 'An API key needs at least one scope');
  const scopes = new Set<ApiKeyScope>();
  const inboxIds: string[] = [];
  for (const raw of values) {
    const value = raw.trim().toLowerCase();
    const inbox = /^ingest:(.*)$/.exec(value)?.[1];
    if (value === 'read' || value === 'admin') scopes.add(value);
    else if (inbox !== undefined && UUID.test(inbox)) {
      if (!scopes.has(`ingest:${inbox}`)) inboxIds.push(inbox);
      scopes.add(`ingest:${inbox}`);
    } else
      throw new DomainError(
        StaffErrors.invalidApiKeyScope,
        `"${raw}" is not an API key scope: use "read", "admin" or "ingest:<inbox id>"`,
      );
  }
  return { scopes: [...scopes], inboxIds };
}

/** Whether a key with these scopes reads conversations (the whole library) or only posts to its inboxes. */
export function apiKeyReads(scopes: readonly string[]): boolean {
  return scopes.includes('read') || scopes.includes('admin');
}

export const API_KEY_ROUTE_SCOPE = 'readerdesk:api-key-scope';
export const STAFF_ONLY = 'readerdesk:staff-only';

export interface ApiKeyRouteScope {
  kind: 'ingest';
  /** The route parameter that names the object of the scope (the inbox id). */
  param: string;
}

/** A key with `<kind>:<the route parameter>` may call this route, whatever its role requirement says. */
export const ApiKeyScopeFor = (kind: ApiKeyRouteScope['kind'], param: string): MethodDecorator =>
  SetMetadata(API_KEY_ROUTE_SCOPE, { kind, param } satisfies ApiKeyRouteScope);

/** Refuses every API key, whatever its scopes: the route is for a signed-in member of staff. */
export const StaffOnly = (): MethodDecorator & ClassDecorator => SetMetadata(STAFF_ONLY, true);

/** What a route asks of its caller, as the guard sees it. */
export interface RouteNeeds {
  method: string;
  role?: AgentRole;
  /** The scope the route names for keys (`ingest:<inbox id>`), if any. */
  scope?: string;
  staffOnly: boolean;
}

/** Deny by default: a key passes only through a scope that names this route or one of the two broad scopes. */
export function apiKeyMayCall(scopes: readonly string[], needs: RouteNeeds): boolean {
  if (needs.staffOnly) return false;
  if (needs.scope !== undefined && scopes.includes(needs.scope)) return true;
  const reading = READING.has(needs.method.toUpperCase());
  if (scopes.includes('admin') && (reading || needs.role === 'administrator')) return true;
  return scopes.includes('read') && reading && (needs.role === undefined || needs.role === 'agent');
}
