import { Init1795341915530 } from './1795341915530-Init';

export const SQLITE_MIGRATIONS: Function[] = [Init1795341915530];
