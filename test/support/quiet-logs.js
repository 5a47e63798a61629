// Nest's static loggers print outside an application; keep test output readable unless asked.
'use strict';
if (!process.env.TEST_LOG_LEVEL) require('@nestjs/common').Logger.overrideLogger(false);
