import type { ReactNode } from 'react';
import { cssVariables } from '@bytelyst/ui-tokens';

export const metadata = { title: process.env.NEXT_PUBLIC_APP_NAME ?? 'Clock' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={cssVariables('light') as React.CSSProperties}>{children}</body>
    </html>
  );
}
