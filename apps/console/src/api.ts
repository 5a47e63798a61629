// The console's one way to the desk's REST API: same-origin fetch with the session cookie, the CSRF
// token echoed on every change (double submit), and problem details turned into errors that carry
// the server's own message, so the screen can show it instead of going blank.

export interface Agent {
  id: string;
  libraryId: string;
  email: string;
  displayName: string;
  role: 'agent' | 'supervisor' | 'administrator';
  presence: 'available' | 'busy' | 'away' | 'offline';
}

export interface Conversation {
  id: string;
  number: number;
  readerId: string;
  channel: string;
  departmentId: string | null;
  assigneeId: string | null;
  status: string;
  priority: string;
  subject: string | null;
  tags: string[];
  waitingSince: string | null;
  lastMessageAt: string | null;
  createdAt: string;
  sla: { firstResponseDueAt: string | null; nextResponseDueAt: string | null; resolutionDueAt: string | null } | null;
}

export interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
}

export interface Message {
  id: string;
  kind: 'inbound' | 'outbound' | 'note' | 'event';
  attachments: Attachment[];
  authorAgentId: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface StaffAccount {
  id: string;
  displayName: string;
  role: Agent['role'];
  active: boolean;
  departmentIds: string[];
}

export interface Reader {
  id: string;
  displayName: string | null;
  cardNumber: string | null;
  handles: Array<{ id: string; kind: string; value: string }>;
}

export interface Department {
  id: string;
  code: string;
  name: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const CSRF_COOKIE = 'rd_csrf';

function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Called when the session is gone for good (refresh refused): the shell shows sign-in again. */
let onSignedOut: () => void = () => undefined;
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** `body`: JSON, or a Blob sent as its own bytes with its media type (an upload). */
async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const file = body instanceof Blob ? body : null;
  if (file) headers['content-type'] = file.type || 'application/octet-stream';
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken();
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  return fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: file ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
}

let refreshing: Promise<boolean> | null = null;
/** One refresh at a time however many requests found the access token expired. */
function refresh(): Promise<boolean> {
  refreshing ??= send('POST', '/auth/refresh')
    .then((res) => res.ok)
    .catch(() => false)
    .finally(() => (refreshing = null));
  return refreshing;
}

/** A call to the REST API; a Blob body is sent as it is (an upload), anything else as JSON. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res = await send(method, path, body);
  if (res.status === 401 && !path.startsWith('/auth/')) {
    if (await refresh()) res = await send(method, path, body);
    else onSignedOut();
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const problem = (parsed ?? {}) as { detail?: string; title?: string; code?: string };
    throw new ApiError(res.status, problem.code, problem.detail ?? problem.title ?? `HTTP ${res.status}`);
  }
  return parsed as T;
}
