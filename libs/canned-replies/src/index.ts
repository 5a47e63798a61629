export * from './canned-reply-template';
export * from './canned-reply.entity';
export * from './canned-reply.service';
export * from './canned-replies.errors';
export * from './canned-replies.module';
