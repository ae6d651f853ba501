// Reads the VS Code theme's colors for the canvas (uPlot draws with concrete colors, not CSS
// variables) and reports theme changes.

import { luminance, withAlpha } from './color';
import type { ColorKey } from './series';

export type ThemeKind = 'dark' | 'light' | 'high-contrast' | 'high-contrast-light';

export interface Palette {
  kind: ThemeKind;
  colors: Record<ColorKey, string>;
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  axis: string;
  fontFamily: string;
  fontSize: number;
}

const DARK: Record<Exclude<ColorKey, 'foreground' | 'lines'>, string> = {
  blue: '#3794ff',
  orange: '#d18616',
  green: '#89d185',
  purple: '#b180d7',
  red: '#f14c4c',
  yellow: '#cca700',
};

const LIGHT: typeof DARK = {
  blue: '#1a85ff',
  orange: '#d18616',
  green: '#388a34',
  purple: '#652d90',
  red: '#e51400',
  yellow: '#bf8803',
};

export function themeKind(): ThemeKind {
  const body = document.body;
  const attr = body.getAttribute('data-vscode-theme-kind');
  const cls = body.classList;
  if (attr === 'vscode-high-contrast-light' || cls.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (attr === 'vscode-high-contrast' || cls.contains('vscode-high-contrast')) return 'high-contrast';
  if (attr === 'vscode-light' || cls.contains('vscode-light')) return 'light';
  if (attr === 'vscode-dark' || cls.contains('vscode-dark')) return 'dark';
  const bg = getComputedStyle(body).backgroundColor;
  return (luminance(bg) ?? 0) > 0.5 ? 'light' : 'dark';
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.body);
  const v = (name: string) => style.getPropertyValue(name).trim();
  const kind = themeKind();
  const light = kind === 'light' || kind === 'high-contrast-light';
  const defaults = light ? LIGHT : DARK;
  const foreground = v('--vscode-foreground') || (light ? '#3b3b3b' : '#cccccc');
  const muted = v('--vscode-descriptionForeground') || withAlpha(foreground, 0.7);
  const colors = {} as Record<ColorKey, string>;
  for (const key of Object.keys(defaults) as (keyof typeof defaults)[]) {
    colors[key] = v(`--vscode-charts-${key}`) || defaults[key];
  }
  colors.foreground = foreground;
  colors.lines = v('--vscode-charts-lines') || withAlpha(foreground, 0.5);
  const highContrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  return {
    kind,
    colors,
    foreground,
    muted,
    background: v('--vscode-editor-background') || (light ? '#ffffff' : '#1e1e1e'),
    grid: withAlpha(foreground, highContrast ? 0.35 : light ? 0.1 : 0.08),
    axis: muted,
    fontFamily: v('--vscode-font-family') || 'system-ui, sans-serif',
    fontSize: parseFloat(v('--vscode-font-size')) || 13,
  };
}

/**
 * Calls `onChange` (once per frame at most) when the theme changes: VS Code swaps the body's
 * vscode-light/vscode-dark/vscode-high-contrast class and rewrites the variables on <html>.
 */
export function watchTheme(onChange: () => void): () => void {
  let pending = 0;
  const fire = () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      onChange();
    });
  };
  const observer = new MutationObserver(fire);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
