import type { ReactNode } from 'react';
import { QueryProvider } from '@/components/providers/query-provider';
import { BadgeRole } from '@/components/shell/badge-role';
import { ButtonSignOut } from '@/components/shell/button-sign-out';
import { ButtonTheme } from '@/components/shell/button-theme';
import { NavLinks } from '@/components/shell/nav-links';
import { roleAtLeast } from '@/lib/auth/roles';
import { NAV_ITEMS } from '@/lib/nav';
import { currentUser } from '@/server/auth/guard';

// No check here guards anything: every page, route and action checks the role itself. Anonymous
// visitors get the bare page, whose own guard sends them to sign-in with the way back.
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) return children;
  const items = NAV_ITEMS.filter((item) => roleAtLeast(user.role, item.role)).map(({ href, label }) => ({
    href,
    label,
  }));

  return (
    <QueryProvider>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <div className="shell">
        <aside className="sidebar">
          <div className="brand">Tidewatch</div>
          <NavLinks items={items} />
          <div className="sidebar-foot">
            <span className="user-email" data-testid="user-email">
              {user.email}
            </span>
            <BadgeRole role={user.role} />
            <ButtonTheme />
            <ButtonSignOut />
          </div>
        </aside>
        <main id="main" className="main">
          {children}
        </main>
      </div>
    </QueryProvider>
  );
}
