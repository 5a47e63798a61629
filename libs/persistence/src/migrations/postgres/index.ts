import { Init1795341915530 } from './1795341915530-Init';
import { ReaderHandles1795343845776 } from './1795343845776-ReaderHandles';
import { StaffSessions1795344034580 } from './1795344034580-StaffSessions';
import { Conversations1795344844015 } from './1795344844015-Conversations';
import { StaffPresence1795348301301 } from './1795348301301-StaffPresence';
import { Attachments1795356083354 } from './1795356083354-Attachments';
import { EmailInboxes1795356623559 } from './1795356623559-EmailInboxes';
import { MessageDelivery1795356841326 } from './1795356841326-MessageDelivery';
import { MailboxLeases1795357020222 } from './1795357020222-MailboxLeases';
import { MessageSearch1795400000000 } from './1795400000000-MessageSearch';
import { ConversationCounters1795400000001 } from './1795400000001-ConversationCounters';
import { AgentTokenVersion1796168534570 } from './1796168534570-AgentTokenVersion';
import { ApiKeys1796168736264 } from './1796168736264-ApiKeys';
import { MailboxConnectionState1796185800498 } from './1796185800498-MailboxConnectionState';
import { UnprocessedMail1796186152478 } from './1796186152478-UnprocessedMail';
import { Calendars1796186238832 } from './1796186238832-Calendars';
import { SlaClocks1796190214258 } from './1796190214258-SlaClocks';

export const POSTGRES_MIGRATIONS: Function[] = [Init1795341915530, ReaderHandles1795343845776, StaffSessions1795344034580, Conversations1795344844015, StaffPresence1795348301301, Attachments1795356083354, EmailInboxes1795356623559, MessageDelivery1795356841326, MailboxLeases1795357020222, MessageSearch1795400000000, ConversationCounters1795400000001, AgentTokenVersion1796168534570, ApiKeys1796168736264, MailboxConnectionState1796185800498, UnprocessedMail1796186152478, Calendars1796186238832, SlaClocks1796190214258];
