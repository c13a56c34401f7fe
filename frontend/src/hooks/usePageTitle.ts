import { useEffect, useRef } from 'react';

export const APP_NAME = 'Chatbot Agent';

let firstPage = true;

/**
 * Sets the document title and, after a client-side navigation (not on the first page load), moves focus to the
 * page heading so screen readers announce the new page and Tab starts from its top.
 */
export function usePageTitle<T extends HTMLElement = HTMLHeadingElement>(title: string, { focus = true } = {}) {
  const headingRef = useRef<T>(null);
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);
  useEffect(() => {
    if (!focus) return; // a transient screen (loading) is not a page: the next one still counts as the first
    if (firstPage) {
      firstPage = false;
      return;
    }
    const active = document.activeElement;
    // Leave focus alone when the page already put it somewhere meaningful (an autofocused field).
    if (active && active !== document.body && headingRef.current?.closest('main')?.contains(active)) return;
    headingRef.current?.focus({ preventScroll: false });
  }, []); // eslint-disable-line react-hooks/exhaustive-deps -- once per page
  return headingRef;
}
