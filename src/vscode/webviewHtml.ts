/**
 * Builds webview HTML with a strict Content-Security-Policy: nothing loads unless allowed, scripts only
 * with a fresh per-load nonce, styles and fonts only from the extension's own bundle folders.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  title: string;
  script: string; // path relative to the extension root, e.g. dist/webview/chat.js
  styles: string[]; // paths relative to the extension root
  body: string; // static markup (no untrusted content)
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(webview: vscode.Webview, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** Webviews may read only the built bundle and the static media folder. */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function renderPage(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): { html: string; csp: string; nonce: string } {
  const nonce = newNonce();
  const csp = contentSecurityPolicy(webview, nonce);
  const uri = (rel: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...rel.split('/'))).toString();
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.styles.map((s) => `<link rel="stylesheet" href="${uri(s)}">`).join('\n')}
<title>${page.title}</title>
</head>
<body data-nonce="${nonce}">
${page.body}
<script nonce="${nonce}" src="${uri(page.script)}"></script>
</body>
</html>`;
  return { html, csp, nonce };
}
