/** Error codes (Node's socket errors, PostgreSQL's SQLSTATE, SQLite's) that mean "the database is away", not "this statement is wrong". */
const CODES = new Set([
  // sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // SQLite: another writer held the lock past busy_timeout; the file cannot be read or written
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
]);

/** What node-postgres says when a connection drops or the pool cannot get one in time. */
const MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended|Client was closed|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * Whether an error (TypeORM's QueryFailedError or the driver's own, however wrapped) says that the database
 * could not be reached or went away — a fault a client may retry (503), not a bug (500).
 */
export function isConnectionFailure(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, driverError, cause } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    // Class 08: connection exceptions; SQLite's extended codes (SQLITE_IOERR_WRITE…) by their base code.
    if (CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    if (/^SQLITE_/.test(code) && [...CODES].some((base) => code.startsWith(`${base}_`))) return true;
  }
  if (typeof message === 'string' && MESSAGES.test(message)) return true;
  return isConnectionFailure(driverError, depth + 1) || isConnectionFailure(cause, depth + 1);
}
