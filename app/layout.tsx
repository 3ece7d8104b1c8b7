import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Tidewatch', template: '%s · Tidewatch' },
  description: 'Consumer lag, dead-letter queues, replay and correlation search for on-call engineers.',
};

// The theme lives in a cookie so the server renders the right colours on the first paint.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = (await cookies()).get('theme')?.value;
  return (
    <html lang="en" data-theme={theme === 'dark' || theme === 'light' ? theme : undefined}>
      <body>{children}</body>
    </html>
  );
}
