import { Module } from '@nestjs/common';
import { ReaderRepository } from './reader.repository';

@Module({ providers: [ReaderRepository], exports: [ReaderRepository] })
export class ReadersModule {}
