// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * Boundaries (ARCHITECTURE.md, "Layers"): a library is imported only through its index
 * (`@readerdesk/<name>`), never through a file inside it or a relative path into it; and only
 * from above: dependencies point one way. Only repositories and entities touch TypeORM. Test support
 * (libs/testing) is the exception: like the tests, it may import a file inside another library by a relative
 * path (its repositories, which the indexes do not export), though still never `@readerdesk/<name>/…`.
 */
const LIBS = [
  'contracts',
  'platform',
  'tenancy',
  'staff',
  'readers',
  'calendars',
  'conversations',
  'sla',
  'channels',
  'routing',
  'offers',
  'queue-stats',
  'canned-replies',
  'realtime',
  'persistence',
  'testing',
];
const BELOW = {
  contracts: [],
  platform: ['contracts'],
  tenancy: ['platform', 'contracts'],
  staff: ['platform', 'contracts', 'tenancy'],
  readers: ['platform', 'contracts', 'tenancy'],
  calendars: ['platform', 'contracts', 'tenancy', 'staff'],
  conversations: ['platform', 'contracts', 'tenancy', 'staff', 'readers', 'calendars'],
  sla: ['platform', 'contracts', 'tenancy', 'staff', 'readers', 'calendars', 'conversations'],
  channels: ['platform', 'contracts', 'tenancy', 'staff', 'readers', 'calendars', 'conversations'],
  // Channels, routing and SLA sit side by side above conversations: none needs another.
  routing: ['platform', 'contracts', 'tenancy', 'staff', 'readers', 'calendars', 'conversations'],
  // Offers hand a routed conversation to an agent; queue statistics count what conversations, offers and SLA report.
  offers: ['platform', 'contracts', 'tenancy', 'staff', 'readers', 'calendars', 'conversations'],
  'queue-stats': [
    'platform',
    'contracts',
    'tenancy',
    'staff',
    'readers',
    'calendars',
    'conversations',
    'sla',
    'offers',
  ],
  // Canned replies fill their placeholders from a conversation, its reader, the agent and the library.
  'canned-replies': ['platform', 'contracts', 'tenancy', 'staff', 'readers', 'calendars', 'conversations'],
  realtime: [
    'platform',
    'contracts',
    'tenancy',
    'staff',
    'readers',
    'calendars',
    'conversations',
    'sla',
    'channels',
    'routing',
    'offers',
    'queue-stats',
  ],
  persistence: [
    'platform',
    'contracts',
    'tenancy',
    'staff',
    'readers',
    'calendars',
    'conversations',
    'sla',
    'channels',
    'routing',
    'offers',
    'queue-stats',
    'canned-replies',
    'realtime',
  ],
  testing: LIBS.filter((name) => name !== 'testing'),
};
const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'];
const deepImports = {
  group: ['@readerdesk/*/**', '**/libs/*/src/**', '../../*/src/**', '../../../*/src/**', '../../../../*/src/**'],
  message: 'Import a library through its index (@readerdesk/<name>), never a file inside it.',
};
/** Tests and test support: relative paths into a library are allowed (its repositories), aliased paths are not. */
const aliasedDeepImports = { ...deepImports, group: ['@readerdesk/*/**'] };
const DEEP_IMPORTS_ALLOWED = ['testing'];
const typeormOutsideRepositories = {
  name: 'typeorm',
  allowTypeImports: true,
  message: 'Only repositories (*.repository.ts) and entities (*.entity.ts) touch TypeORM; add a repository method.',
};
const ormCalls = [
  {
    selector: "CallExpression[callee.property.name='getRepository']",
    message: 'Only repositories touch TypeORM; add a repository method.',
  },
  {
    selector:
      "CallExpression[callee.property.name='query']:matches([callee.object.name='manager'], [callee.object.property.name='manager'])",
    message: 'SQL belongs in a repository (or DatabaseService); add a method there.',
  },
];
const boundaries = LIBS.flatMap((name) => {
  const above = LIBS.filter((other) => other !== name && !BELOW[name].includes(other));
  const layering = above.length
    ? [
        {
          group: above.map((other) => `@readerdesk/${other}`),
          message: `${name} sits below these libraries (ARCHITECTURE.md, Layers); react to their events or move the code down.`,
        },
      ]
    : [];
  const orm = ['platform', 'testing'].includes(name);
  return [
    {
      files: [`libs/${name}/src/**/*.ts`],
      ignores: TEST_FILES,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [DEEP_IMPORTS_ALLOWED.includes(name) ? aliasedDeepImports : deepImports, ...layering],
            paths: orm ? [] : [typeormOutsideRepositories],
          },
        ],
        ...(orm ? {} : { 'no-restricted-syntax': ['error', ...ormCalls] }),
      },
    },
    ...(orm
      ? []
      : [
          {
            files: [`libs/${name}/src/**/*.repository.ts`, `libs/${name}/src/**/*.entity.ts`],
            ignores: TEST_FILES,
            rules: {
              'no-restricted-imports': ['error', { patterns: [deepImports, ...layering] }],
              'no-restricted-syntax': 'off',
            },
          },
        ]),
  ];
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'libs/persistence/src/migrations/**'] },
  eslint.configs.recommended,
  {
    // The console's .tsx too: the project service finds apps/console/tsconfig.json for them.
    files: ['**/*.ts', '**/*.tsx'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
  {
    // The DataSource, the migration generator and scratch databases are TypeORM's own business.
    files: [
      'libs/persistence/src/{data-source-options,schema-diff,scratch-database}.ts',
      'libs/persistence/src/cli/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImports] }], 'no-restricted-syntax': 'off' },
  },
  {
    // The apps import each other by relative path (desk = api + worker), never into a library.
    files: ['apps/**/*.ts', 'apps/**/*.tsx'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ ...deepImports, group: ['@readerdesk/*/**', '**/libs/*/src/**'] }] },
      ],
    },
  },
  {
    // The console's hooks: the classic rules of hooks and complete effect/memo dependencies.
    files: ['apps/console/src/**/*.ts', 'apps/console/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns: [aliasedDeepImports] }] },
  },
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
  },
  prettier,
);
