import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { dashboardCsp, dashboardHtml, newNonce } from '../../../webview/html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const SCRIPT = `${CSP_SOURCE}/ext/dist/webview.js`;

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'the document has a CSP meta tag');
  return m[1]!.replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe('dashboardHtml', () => {
  const nonce = newNonce();
  const html = dashboardHtml({ scriptUri: SCRIPT, cspSource: CSP_SOURCE, nonce, styleUris: [`${CSP_SOURCE}/ext/extra.css`] });

  it('has a strict CSP: nothing by default, local resources and nonce’d inline code only', () => {
    const csp = cspOf(html);
    assert.equal(csp, dashboardCsp(CSP_SOURCE, nonce));
    const d = directives(csp);
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.deepEqual(d.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(d.get('style-src'), [CSP_SOURCE, `'nonce-${nonce}'`]);
    assert.deepEqual(d.get('img-src'), [CSP_SOURCE, 'data:']);
    assert.deepEqual(d.get('font-src'), [CSP_SOURCE]);
    assert.deepEqual([...d.keys()].sort(), ['default-src', 'font-src', 'img-src', 'script-src', 'style-src']);
    assert.ok(!/unsafe-inline|unsafe-eval|unsafe-hashes|\*/.test(csp), csp);
    for (const values of d.values()) {
      for (const v of values) {
        assert.ok(v === CSP_SOURCE || v === 'data:' || v.startsWith("'"), `no other source: ${v}`);
      }
    }
  });

  it('puts the nonce on every script, style and stylesheet link', () => {
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    const styles = html.match(/<style\b[^>]*>/g) ?? [];
    const links = html.match(/<link\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 1);
    assert.equal(links.length, 1);
    for (const tag of [...scripts, ...styles, ...links]) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
    assert.ok(scripts[0]!.includes(`src="${SCRIPT}"`));
  });

  it('has no inline handlers, style attributes or remote references', () => {
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handlers');
    assert.ok(!/<[^>]+\sstyle\s*=/i.test(html), 'no style attributes');
    assert.ok(!/@import|url\(\s*['"]?(?:https?:)?\/\//i.test(html), 'the stylesheet loads nothing');
    const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
    for (const u of urls) {
      assert.ok(u.startsWith(CSP_SOURCE) || u === 'http://www.w3.org/2000/svg', `only the webview's own resources: ${u}`);
    }
  });

  it('escapes what it interpolates', () => {
    const out = dashboardHtml({ scriptUri: 'x.js?a=1&b="2"', cspSource: CSP_SOURCE, nonce, title: '<b>run</b>' });
    assert.ok(out.includes('src="x.js?a=1&amp;b=&quot;2&quot;"'));
    assert.ok(out.includes('<title>&lt;b&gt;run&lt;/b&gt;</title>'));
  });

  it('refuses weak nonces and malformed CSP sources', () => {
    assert.throws(() => dashboardHtml({ scriptUri: SCRIPT, cspSource: CSP_SOURCE, nonce: 'abc' }), /nonce/);
    assert.throws(() => dashboardHtml({ scriptUri: SCRIPT, cspSource: CSP_SOURCE, nonce: `${nonce}' 'unsafe-inline` }), /nonce/);
    for (const bad of ["'unsafe-inline'", 'https://x.example; script-src *', '*', "'self' 'nonce-abc'", 'https://x.example,*', '"x"', '']) {
      assert.throws(() => dashboardHtml({ scriptUri: SCRIPT, cspSource: bad, nonce }), /cspSource/, bad);
    }
  });

  it('accepts the source list VS Code gives (webview.cspSource)', () => {
    const real = "'self' https://*.vscode-cdn.net";
    const html = dashboardHtml({ scriptUri: SCRIPT, cspSource: real, nonce });
    assert.ok(html.includes(`img-src ${real} data:`));
    assert.doesNotThrow(() => dashboardHtml({ scriptUri: SCRIPT, cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce }));
    assert.doesNotThrow(() => dashboardHtml({ scriptUri: SCRIPT, cspSource: 'vscode-webview-resource:', nonce }));
  });
});

describe('newNonce', () => {
  it('gives 128 random bits as 32 hex digits, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const n = newNonce();
      assert.match(n, /^[0-9a-f]{32}$/);
      seen.add(n);
    }
    assert.equal(seen.size, 1000);
  });
});
