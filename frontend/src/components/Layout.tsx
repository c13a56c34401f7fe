import type { ReactNode, Ref } from 'react';
import { Link } from 'react-router';
import { APP_NAME } from '../hooks/usePageTitle';

export function Logo() {
  return (
    <Link to="/" className="brand">
      <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="9" className="brand-mark-bg" />
        <path
          d="M9 11.5A3.5 3.5 0 0 1 12.5 8h7A3.5 3.5 0 0 1 23 11.5v5a3.5 3.5 0 0 1-3.5 3.5H15l-4.2 3.4c-.5.4-1.3 0-1.3-.6V20.1A3.5 3.5 0 0 1 9 16.5z"
          className="brand-mark-fg"
        />
        <circle cx="13.5" cy="14" r="1.3" className="brand-mark-bg" />
        <circle cx="18.5" cy="14" r="1.3" className="brand-mark-bg" />
      </svg>
      <span className="brand-name">{APP_NAME}</span>
    </Link>
  );
}

export function AppShell({ children, headerEnd }: { children: ReactNode; headerEnd?: ReactNode }) {
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Logo />
          {headerEnd ? <div className="topbar-end">{headerEnd}</div> : null}
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <p>
          © {new Date().getFullYear()} {APP_NAME}
        </p>
      </footer>
    </div>
  );
}

/** The centred card used by the signed-out pages. */
export function AuthCard({
  title,
  subtitle,
  headingRef,
  children,
  footer,
  icon,
}: {
  title: string;
  subtitle?: ReactNode;
  /** A large icon above the title: result pages ("check your email", "password changed") are centred. */
  icon?: ReactNode;
  headingRef: Ref<HTMLHeadingElement>;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <AppShell>
      <div className="auth-wrap">
        <section className={icon ? 'card auth-card auth-card-centered' : 'card auth-card'} aria-labelledby="page-title">
          {icon}
          <h1 id="page-title" className="page-title" ref={headingRef} tabIndex={-1}>
            {title}
          </h1>
          {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
          {children}
        </section>
        {footer ? <div className="auth-footer">{footer}</div> : null}
      </div>
    </AppShell>
  );
}
