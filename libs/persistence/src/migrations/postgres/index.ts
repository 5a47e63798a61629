import { Init1795341915530 } from './1795341915530-Init';

export const POSTGRES_MIGRATIONS: Function[] = [Init1795341915530];
