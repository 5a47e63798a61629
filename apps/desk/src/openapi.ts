// `npm run openapi`: writes the desk's OpenAPI document to openapi.json at the repository root, from
// the application's modules, without a database or a listening port. Run it after changing an
// operation; test/openapi.e2e-spec.ts fails while the committed file is stale.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocument, createHttpApp, loadEnvironment } from '@readerdesk/platform';
import { DeskModule } from './desk.module';

async function main(): Promise<void> {
  if (process.env.DATABASE_URL) throw new Error('npm run openapi: unset DATABASE_URL (the document is the same)');
  const scratch = join(tmpdir(), `readerdesk-openapi-${process.pid}`);
  const env = loadEnvironment({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SQLITE_PATH: join(scratch, 'desk.sqlite'),
    DESK_STORAGE_DIR: join(scratch, 'attachments'),
    DESK_SECRET_KEY: 'openapi-document-only-never-signs-anything-0123456789',
  });
  const app = await createHttpApp(DeskModule.forRoot(env));
  const document = buildOpenApiDocument(app);
  await app.close();
  const target = join(__dirname, '..', '..', '..', '..', 'openapi.json');
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${target}: ${Object.keys(document.paths).length} paths`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
