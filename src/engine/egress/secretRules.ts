/**
 * What counts as a secret. Each rule finds a credential by its published format; `group` names the
 * capture group holding the sensitive part (the rest — a URL's host, a header name — stays so the
 * model can still reason about the code). Order matters: specific formats run before generic ones,
 * and replaced text never matches again because placeholders contain '[' and ':'.
 */

export interface SecretRule {
  kind: string;
  pattern: RegExp;
  /** Capture group with the secret; 0 = the whole match. */
  group: number;
}

const rule = (kind: string, pattern: RegExp, group = 0): SecretRule => ({ kind, pattern, group });

export const SECRET_RULES: readonly SecretRule[] = [
  // PEM private keys, whole block; a second rule catches a block pasted without its END line.
  rule('private-key', /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?-----END \1-----/g),
  rule('private-key', /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s:,-]|\\[nr])+/g),
  rule('putty-private-key', /PuTTY-User-Key-File-\d:[\s\S]*?Private-MAC: [0-9a-f]+/g),
  rule('anthropic-key', /\bsk-ant-[a-z]{2,6}\d{2}-[A-Za-z0-9_-]{20,}/g),
  // Real keys are base64url: digits and upper case (a kebab-case css class "sk-…-2020" is not a key).
  rule('openai-key', /\bsk-(?:proj-|svcacct-|admin-|None-)?(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}/g),
  rule('aws-access-key-id', /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g),
  rule('github-token', /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g),
  rule('github-token', /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g),
  rule('gitlab-token', /\bgl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,}/g),
  rule('slack-token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/g),
  rule('slack-webhook', /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]{20,}/g),
  rule('discord-webhook', /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{30,}/g),
  rule('stripe-key', /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g),
  rule('stripe-webhook-secret', /\bwhsec_[A-Za-z0-9]{24,}\b/g),
  rule('google-api-key', /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g),
  rule('google-oauth-secret', /\bGOCSPX-[A-Za-z0-9_-]{24,}/g),
  rule('google-access-token', /\bya29\.[0-9A-Za-z_-]{20,}/g),
  rule('twilio-key', /\bSK[0-9a-f]{32}\b/g),
  rule('sendgrid-key', /\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/g),
  rule('npm-token', /\bnpm_[A-Za-z0-9]{36}\b/g),
  rule('pypi-token', /\bpypi-AgE[A-Za-z0-9_-]{50,}/g),
  rule('huggingface-token', /\bhf_[A-Za-z0-9]{30,}\b/g),
  rule('mailgun-key', /\bkey-[0-9a-f]{32}\b/g),
  rule('shopify-token', /\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b/g),
  rule('digitalocean-token', /\bdo[opr]_v1_[a-f0-9]{64}\b/g),
  rule('databricks-token', /\bdapi[a-f0-9]{32}(?:-\d)?\b/g),
  rule('azure-storage-key', /\bAccountKey=([A-Za-z0-9+/]{40,}={0,2})/g, 1),
  rule('azure-sas-signature', /[?&;]sig=([A-Za-z0-9%+/]{30,}={0,2})/g, 1),
  rule('jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g),
  // scheme://user:password@host — only the password goes; `${VAR}`/`<password>` templates stay.
  rule('connection-password', /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/'"`]*:((?![$<{%*])[^\s@/'"`]{3,})@/gi, 1),
  rule('connection-password', /(?:^|[;\s"'])(?:Password|Pwd)\s*=\s*((?![$<{%*])[^;'"\s]{4,})/gim, 1),
  rule('basic-auth-header', /\bAuthorization:\s*Basic\s+([A-Za-z0-9+/]{12,}={0,2})/gi, 1),
  rule('bearer-token', /\bBearer\s+((?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*)/g, 1),
];

/** Identifier words that make an assigned literal secret-like (matched per camelCase/snake word). */
export const SECRET_NAME_WORDS: ReadonlySet<string> = new Set([
  'secret',
  'token',
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'apikey',
  'credential',
  'credentials',
  'salt',
  'dsn',
]);

/** `key` is only secret-like next to one of these (apiKey, private_key, SIGNING_KEY …). */
export const KEY_QUALIFIERS: ReadonlySet<string> = new Set([
  'api',
  'access',
  'private',
  'secret',
  'signing',
  'encryption',
  'master',
  'auth',
  'client',
  'account',
  'service',
  'app',
  'license',
  'session',
  'webhook',
  'jwt',
  'hmac',
]);
