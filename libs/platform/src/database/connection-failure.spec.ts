import { QueryFailedError } from 'typeorm';
import { isConnectionFailure } from './connection-failure';

describe('isConnectionFailure: the database went away (503), not a bad statement (500)', () => {
  const driver = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it.each([
    ['refused', driver('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['reset', driver('ECONNRESET')],
    ['admin shutdown', driver('57P01', 'terminating connection due to administrator command')],
    ['cannot connect now', driver('57P03', 'the database system is starting up')],
    ['a class 08 SQLSTATE', driver('08006')],
    ['pg ending the connection', new Error('Connection terminated unexpectedly')],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    ['SQLite busy past busy_timeout', driver('SQLITE_BUSY', 'database is locked')],
    ['an extended SQLite I/O code', driver('SQLITE_IOERR_WRITE', 'disk I/O error')],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], driver('57P01'))],
    ['given as a cause', new Error('outer', { cause: driver('ECONNREFUSED') })],
  ])('%s', (_what, error) => expect(isConnectionFailure(error)).toBe(true));

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], driver('23505', 'duplicate key'))],
    ['a syntax error', driver('42601')],
    ['a SQLite constraint', driver('SQLITE_CONSTRAINT_UNIQUE')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s is not', (_what, error) => expect(isConnectionFailure(error)).toBe(false));
});
