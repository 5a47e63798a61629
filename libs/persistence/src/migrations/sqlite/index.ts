import { Init1795341915530 } from './1795341915530-Init';
import { ReaderHandles1795343845776 } from './1795343845776-ReaderHandles';
import { StaffSessions1795344034580 } from './1795344034580-StaffSessions';
import { Conversations1795344844015 } from './1795344844015-Conversations';
import { StaffPresence1795348301301 } from './1795348301301-StaffPresence';

export const SQLITE_MIGRATIONS: Function[] = [Init1795341915530, ReaderHandles1795343845776, StaffSessions1795344034580, Conversations1795344844015, StaffPresence1795348301301];
