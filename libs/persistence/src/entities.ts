import { Agent, AgentDepartment, ApiKey, Department, PresenceChange, RefreshToken } from '@readerdesk/staff';
import {
  Attachment,
  Conversation,
  ConversationCounter,
  Inbox,
  Message,
  MessageMention,
} from '@readerdesk/conversations';
import { Reader, ReaderEvent, ReaderHandle } from '@readerdesk/readers';
import { MailboxCursor, UnprocessedMail } from '@readerdesk/channels';
import { RoutingRule } from '@readerdesk/routing';
import { Branch, Library } from '@readerdesk/tenancy';
import { Calendar } from '@readerdesk/calendars';
import { SlaPolicy } from '@readerdesk/sla';
import { DepartmentOfferSettings, Offer } from '@readerdesk/offers';
import { QueueStatsDaily } from '@readerdesk/queue-stats';
import { CannedReply } from '@readerdesk/canned-replies';

/** Every entity of the desk; migrations are generated from exactly this list. */
export const ENTITIES = [
  Library,
  Branch,
  Department,
  Agent,
  AgentDepartment,
  Reader,
  ReaderHandle,
  ReaderEvent,
  RefreshToken,
  ApiKey,
  PresenceChange,
  Inbox,
  Conversation,
  ConversationCounter,
  Message,
  Attachment,
  MailboxCursor,
  UnprocessedMail,
  Calendar,
  RoutingRule,
  SlaPolicy,
  DepartmentOfferSettings,
  Offer,
  QueueStatsDaily,
  CannedReply,
  MessageMention,
];
