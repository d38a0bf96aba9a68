// Layering you can't break: import zones per layer (like vscode-copilot-chat's eslint.config.mjs), the
// protocol kept to types, and one door for outbound HTTP. Structural rules only — no style rules, so
// `npm run lint` stays fast (no type information) and its failures always mean a broken boundary.
import tseslint from 'typescript-eslint';

const VSCODE = { name: 'vscode', message: 'Only src/vscode/ and src/extension.ts may import vscode.' };
/** Relative specifiers that reach a top-level folder of src/ from inside another (e.g. '../../vscode/x'). */
const reach = (folders) => `^(\\.\\./)+(${folders})(/|$)`;

const zone = (files, patterns, paths = [VSCODE]) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

/** The one door for outbound HTTP (issue 23): SDK clients and fetch only inside it. */
const EGRESS_DOOR = 'src/engine/egress/**';
const EGRESS_MESSAGE = 'Outbound HTTP goes through the egress door (src/engine/egress/): it applies local-only, redaction, audit and timeouts.';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', '.keel-host/**', '.vscode-test/**', 'models/**'] },
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // The engine is pure Node: no editor, no CLI, no composition root.
  zone(['src/engine/**/*.ts'], [
    { regex: reach('vscode|cli'), message: 'src/engine/ never imports src/vscode/ or src/cli/: hosts depend on the engine, not the reverse.' },
    { regex: '^(\\.\\./)+(extension|api)$', message: 'src/engine/ never imports the extension.' },
  ]),
  // The shared kernel (errors, the RPC peer) sits under everything: it imports only the protocol.
  zone(['src/common/**/*.ts'], [
    { regex: reach('engine|vscode|cli'), message: 'src/common/ is imported by the engine and the hosts; it imports neither.' },
    { regex: '^(\\.\\./)+(extension|api)$', message: 'src/common/ never imports the extension.' },
  ]),
  // The CLI is a host of the engine; it has no business with the editor.
  zone(['src/cli/**/*.ts'], [{ regex: reach('vscode'), message: 'src/cli/ never imports src/vscode/.' }]),
  // The protocol is types only: type imports from itself and the shared kernel's error types.
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [VSCODE], patterns: [{ regex: reach('engine|vscode|cli'), message: 'The protocol depends on nothing but itself and src/common/errors (types).' }] }],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[importKind='value']", message: 'The protocol is types only: use `import type`.' },
        { selector: "ExportAllDeclaration[exportKind='value']", message: 'The protocol is types only: use `export type *`.' },
        { selector: "ExportNamedDeclaration[source][exportKind='value']", message: 'The protocol is types only: use `export type { … } from`.' },
        { selector: 'Program > :matches(VariableDeclaration, FunctionDeclaration, ClassDeclaration, TSEnumDeclaration)', message: 'The protocol is types only: no runtime values.' },
        { selector: 'ExportNamedDeclaration > :matches(VariableDeclaration, FunctionDeclaration, ClassDeclaration, TSEnumDeclaration)', message: 'The protocol is types only: no runtime values.' },
      ],
    },
  },
  // Webviews run in a browser sandbox: the protocol's types, never the engine's or the extension's code.
  zone(
    ['media/**/*.ts'],
    [
      { regex: '(^|/)src/(engine|common|cli|vscode)(/|$)', allowTypeImports: true, message: 'Webview code imports only types from src/ (src/protocol/webview.ts).' },
      { regex: '(^|/)src/(extension|api)$', message: 'Webview code never imports the extension.' },
    ],
  ),
  // One door for outbound HTTP.
  {
    files: ['src/**/*.ts'],
    // src/protocol/ has its own no-restricted-syntax (types only, so no fetch either); flat config would replace it.
    ignores: [EGRESS_DOOR, 'src/protocol/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: EGRESS_MESSAGE }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='fetch'][callee.object.name=/^(globalThis|window|self|global)$/]", message: EGRESS_MESSAGE },
        { selector: 'NewExpression[callee.name=/^(OpenAI|AzureOpenAI|Anthropic|AnthropicBedrock|AnthropicVertex)$/]', message: EGRESS_MESSAGE },
        { selector: 'NewExpression[callee.type="MemberExpression"][callee.property.name=/^(OpenAI|AzureOpenAI|Anthropic)$/]', message: EGRESS_MESSAGE },
      ],
    },
  },
);
