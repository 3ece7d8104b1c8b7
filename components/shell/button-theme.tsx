'use client';

import { useState } from 'react';

type Theme = 'light' | 'dark';

function currentTheme(): Theme {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function ButtonTheme() {
  const [, rerender] = useState(0);
  return (
    <button
      type="button"
      onClick={() => {
        const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
        document.documentElement.dataset.theme = next;
        // biome-ignore lint/suspicious/noDocumentCookie: one fixed preference value, nothing to escape
        document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
        rerender((n) => n + 1);
      }}
    >
      Switch theme
    </button>
  );
}
