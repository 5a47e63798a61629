export * from './business-calendar';
export * from './calendar-definition';
export * from './calendar-fallback';
export * from './calendar.entity';
export * from './calendar.service';
export * from './calendars.errors';
export * from './calendars.module';
export * from './ics-import';
