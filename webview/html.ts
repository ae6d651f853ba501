// The dashboard's HTML document, for the extension host to set as the webview's html. No DOM:
// the host runs this in node.
//
//   const nonce = newNonce();
//   panel.webview.html = dashboardHtml({
//     scriptUri: panel.webview.asWebviewUri(Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
//     cspSource: panel.webview.cspSource,
//     nonce,
//   });

import { DASHBOARD_CSS } from './styles';

export interface DashboardHtmlOptions {
  /** URI of dist/webview.js as the webview can load it (webview.asWebviewUri). */
  scriptUri: string;
  /** webview.cspSource: the origin local resources are served from. */
  cspSource: string;
  /** A fresh nonce per document (newNonce()). */
  nonce: string;
  /** Extra stylesheets (webview URIs), loaded after the built-in styles. */
  styleUris?: string[];
  /** Document title. */
  title?: string;
}

const NONCE_PATTERN = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

/** A nonce for the CSP: 128 bits from the platform's cryptographic generator, as 32 hex digits. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * webview.cspSource: VS Code gives a list such as `'self' https://*.vscode-cdn.net`. Accepts
 * 'self', schemes and hosts, space-separated; refuses anything that would end the directive (`;`)
 * or loosen the policy ('unsafe-inline', 'nonce-…', '*', …).
 */
function isCspSourceList(cspSource: string): boolean {
  const scheme = /^[a-z][a-z0-9+.-]*:$/i;
  const host = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*\.)?[a-z0-9+-]+(?:\.[a-z0-9+-]+)*(?::\d+|:\*)?(?:\/[^\s;,'"<>]*)?$/i;
  return cspSource.length > 0 && cspSource.split(' ').every((t) => t === "'self'" || scheme.test(t) || host.test(t));
}

/** The Content-Security-Policy of the dashboard: local resources and nonce'd inline code only. */
export function dashboardCsp(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ') + ';';
}

/** The full HTML of the dashboard webview. */
export function dashboardHtml(options: DashboardHtmlOptions): string {
  const { scriptUri, cspSource, nonce } = options;
  if (!NONCE_PATTERN.test(nonce)) throw new Error('dashboardHtml: the nonce must be 16+ base64 characters (use newNonce())');
  if (!isCspSourceList(cspSource)) {
    throw new Error(`dashboardHtml: cspSource must be CSP source expressions ('self', a scheme or a host), got '${cspSource}'`);
  }
  const n = escapeAttr(nonce);
  const styles = (options.styleUris ?? [])
    .map((uri) => `    <link rel="stylesheet" href="${escapeAttr(uri)}" nonce="${n}">\n`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(dashboardCsp(cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <!-- FAST (under the UI toolkit) gives this nonce to the one style element it creates. -->
    <meta property="csp-nonce" content="${n}">
    <title>${escapeText(options.title ?? 'Octet training')}</title>
    <style nonce="${n}">${DASHBOARD_CSS}</style>
${styles}  </head>
  <body>
    <div id="app" class="app"><div class="empty"><strong>Octet training dashboard</strong>Loading…</div></div>
    <script nonce="${n}" src="${escapeAttr(scriptUri)}"></script>
  </body>
</html>
`;
}
