// The only module that knows which web-component toolkit draws our buttons, badges and tabs.
// Today that is @vscode/webview-ui-toolkit (archived upstream); moving to @vscode-elements/elements
// means rewriting this file alone: the views call these functions and style the ui-* classes
// added here, never the components' tag names.

import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Registers the toolkit's custom elements (once). Call before creating any component. */
export function registerComponents(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView());
  registered = true;
}

export interface UiButton {
  el: HTMLElement;
  setLabel(text: string): void;
  setDisabled(disabled: boolean): void;
}

export function createButton(options: {
  label: string;
  appearance?: 'primary' | 'secondary';
  title?: string;
  onClick: () => void;
}): UiButton {
  const el = document.createElement('vscode-button');
  el.className = 'ui-button';
  el.setAttribute('appearance', options.appearance ?? 'primary');
  if (options.title) el.title = options.title;
  el.textContent = options.label;
  el.addEventListener('click', () => {
    if (!el.hasAttribute('disabled')) options.onClick();
  });
  return {
    el,
    setLabel(text) {
      if (el.textContent !== text) el.textContent = text;
    },
    setDisabled(disabled) {
      el.toggleAttribute('disabled', disabled);
    },
  };
}

export interface UiBadge {
  el: HTMLElement;
  set(text: string | null): void;
}

/**
 * A count badge. Not the toolkit's <vscode-badge>: its template binds an inline style attribute,
 * which our CSP (no 'unsafe-inline') reports as a violation. A span with VS Code's badge colors
 * (styles.ts, .ui-badge) looks the same.
 */
export function createBadge(text: string | null = null): UiBadge {
  const el = document.createElement('span');
  el.className = 'ui-badge';
  const badge: UiBadge = {
    el,
    set(t) {
      el.classList.toggle('hidden', t === null || t === '');
      if (el.textContent !== (t ?? '')) el.textContent = t ?? '';
    },
  };
  badge.set(text);
  return badge;
}

export interface TabSpec {
  id: string;
  label: string;
}

export interface UiTabs {
  el: HTMLElement;
  /** The content element of a tab. */
  view(id: string): HTMLElement;
  select(id: string): void;
  active(): string;
  /** A count next to the tab's label; null hides it. */
  setBadge(id: string, text: string | null): void;
}

/** Tabs with one view each. `onChange` runs when the user switches tabs (not on select()). */
export function createTabs(tabs: TabSpec[], active: string, onChange: (id: string) => void): UiTabs {
  const root = document.createElement('vscode-panels');
  root.className = 'ui-tabs';
  const views = new Map<string, HTMLElement>();
  const badges = new Map<string, UiBadge>();
  for (const t of tabs) {
    const tab = document.createElement('vscode-panel-tab');
    tab.id = `tab-${t.id}`;
    tab.className = 'ui-tab';
    tab.append(t.label);
    const badge = createBadge(null);
    badge.el.classList.add('ui-tab-badge');
    tab.append(badge.el);
    badges.set(t.id, badge);
    root.append(tab);
  }
  for (const t of tabs) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${t.id}`;
    view.className = 'ui-tab-view';
    views.set(t.id, view);
    root.append(view);
  }
  const ids = tabs.map((t) => t.id);
  let current = ids.includes(active) ? active : ids[0]!;
  root.setAttribute('activeid', `tab-${current}`);
  root.addEventListener('change', (e) => {
    if (e.target !== root) return; // 'change' of inputs inside the views bubbles here too
    // The event's detail is the active tab; the activeid attribute is reflected a little later.
    const tab = (e as CustomEvent<HTMLElement | undefined>).detail;
    const activeId = (tab?.id ?? '').replace(/^tab-/, '');
    if (activeId && activeId !== current && ids.includes(activeId)) {
      current = activeId;
      onChange(activeId);
    }
  });
  return {
    el: root,
    view: (id) => views.get(id)!,
    select(id) {
      if (!ids.includes(id)) return;
      current = id;
      root.setAttribute('activeid', `tab-${id}`);
    },
    active: () => current,
    setBadge: (id, text) => badges.get(id)?.set(text),
  };
}
