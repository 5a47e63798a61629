import { environmentOrExit, exitOnBootFailure, startHttp } from '@readerdesk/platform';
import { DeskModule } from './desk.module';

const env = environmentOrExit('all');
startHttp(env, DeskModule.forRoot(env)).catch(exitOnBootFailure);
