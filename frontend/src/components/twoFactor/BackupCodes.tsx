import { useEffect, useState } from 'react';
import { APP_NAME } from '../../hooks/usePageTitle';
import { backupCodesText } from '../../lib/twoFactor';
import { CopyButton } from './CopyButton';

/**
 * Backup codes, shown once: the server keeps only their hashes, so this is the only time they can be read.
 * Copy them or download them as a text file; `onDone` hides them.
 */
export function BackupCodes({ codes, account, onDone }: { codes: readonly string[]; account: string; onDone: () => void }) {
  const [href, setHref] = useState<string>();
  const text = backupCodesText(codes, account, APP_NAME);
  useEffect(() => {
    if (typeof URL.createObjectURL !== 'function') return; // jsdom
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);
  return (
    <div className="backup-codes">
      <h3 className="subsection-title" id="backup-codes-title">
        Save your backup codes
      </h3>
      <p className="muted">
        If you lose your phone, each of these codes signs you in once. They are shown only now: keep them somewhere
        safe, like a password manager.
      </p>
      <ol className="code-list" aria-labelledby="backup-codes-title" data-testid="backup-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="button-row">
        <CopyButton text={codes.join('\n')} label="Copy codes" />
        <a className="button button-secondary button-small" href={href ?? `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download="backup-codes.txt">
          Download
        </a>
        <button type="button" className="button button-primary button-small" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}
