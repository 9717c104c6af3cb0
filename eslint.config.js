import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Layer rules of DESIGN §3, enforced here and by test/integration/layers.test.ts. */
const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'src/engine/db/migrations/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/bot/**', '**/cards/**', 'botbuilder*', '@microsoft/teams-ai', '@slack/*'], message: 'src/engine never imports bot/, cards/ or a chat SDK (DESIGN §3).' },
      ]),
    },
  },
  {
    files: ['src/cards/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/bot/**', '**/engine/**', 'node:fs', 'node:net', 'node:http', 'botbuilder*', '@slack/*'], message: 'src/cards is pure: view model in, card JSON out (DESIGN §3).' },
      ]),
    },
  },
  {
    files: ['src/bot/**/*.ts'],
    ignores: ['src/bot/teams/**'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['botbuilder*', '@microsoft/teams-ai'], message: 'Teams SDK imports live in src/bot/teams/ only.' },
        { group: ['**/engine/*/**', '!**/engine/index.js'], message: 'bot/ reaches the engine only through src/engine/index.ts.' },
      ]),
    },
  },
  {
    files: ['src/bot/**/*.ts'],
    ignores: ['src/bot/slack/**'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['@slack/*'], message: 'Slack SDK imports live in src/bot/slack/ only.' },
        { group: ['**/engine/*/**'], message: 'bot/ reaches the engine only through src/engine/index.ts.' },
      ]),
    },
  },
);
