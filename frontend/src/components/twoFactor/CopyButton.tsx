import { useEffect, useState } from 'react';

/** Copies `text` to the clipboard and says so for a moment (also to screen readers). */
export function CopyButton({ text, label, className = 'button button-secondary button-small' }: { text: string; label: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <button type="button" className={className} onClick={copy}>
        {state === 'copied' ? 'Copied' : label}
      </button>
      <span aria-live="polite" className="visually-hidden">
        {state === 'copied' ? 'Copied to the clipboard.' : state === 'failed' ? 'Could not copy: select the text and copy it yourself.' : ''}
      </span>
    </>
  );
}
