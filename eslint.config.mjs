// ESLint flat config: typescript-eslint's recommended rules over every TypeScript source.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test/fixtures/**', 'media/**/*.js', 'test/e2e/.code-server/**', 'bench/.corpus/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Only extension/ may import vscode (DEVELOPERS layout rule); the analyzer and simulator stay pure.
    files: ['analyzer/**/*.ts', 'simulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'analyzer/ and simulator/ must not import vscode' }] }] },
  },
  {
    files: ['**/*.mjs', 'bin/**/*.js', 'media/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly', module: 'readonly', URL: 'readonly', setTimeout: 'readonly', document: 'readonly', window: 'readonly', acquireVsCodeApi: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
