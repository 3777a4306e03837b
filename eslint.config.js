// Lint rules: the recommended sets of ESLint and typescript-eslint, plus the two rules that keep
// the layout honest (docs/architecture.md): no import cycles, and no import past another
// capability folder's index.ts.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const SRC = path.resolve('src');

/** `ingest` for src/ingest/otlp/codec.ts; undefined for files directly in src (config.ts). */
function capabilityOf(file) {
  const rel = path.relative(SRC, file);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : undefined;
}

// A capability reaches another only through that folder's index.ts, its public face.
const publicFacesOnly = {
  meta: { type: 'problem', messages: { deep: "import {{target}} through '{{face}}': other folders use only a capability's index.ts" } },
  create(context) {
    const from = capabilityOf(context.filename);
    return {
      ImportDeclaration(node) {
        const spec = node.source.value;
        if (typeof spec !== 'string' || !spec.startsWith('.')) return;
        const target = path.resolve(path.dirname(context.filename), spec);
        const to = capabilityOf(target);
        if (!to || to === from) return;
        const face = path.join(SRC, to, 'index.js');
        if (target !== face) context.report({ node: node.source, messageId: 'deep', data: { target: spec, face: path.relative(path.dirname(context.filename), face) } });
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX, tend: { rules: { 'public-faces-only': publicFacesOnly } } },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'tend/public-faces-only': 'error',
    },
  },
);
