import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { backupCodesText, checkBackupCode, checkTotpCode, groupSecret, normalizeTotpCode } from '../../lib/twoFactor';
import { BackupCodes } from './BackupCodes';
import { CodeField } from './CodeField';
import { TotpSetup } from './TotpSetup';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const URI = `otpauth://totp/Chatbot%20Agent:ada%40example.com?secret=${SECRET}&issuer=Chatbot%20Agent`;
const CODES = ['abcde-fghjk', 'mnpqr-stvwx', '01234-56789', 'z9y8x-w7v6t'];

describe('two-factor helpers', () => {
  it('groups a secret in fours for typing by hand', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
  });

  it('accepts six digits with spaces or a hyphen, and says what is wrong otherwise', () => {
    expect(normalizeTotpCode(' 123 456 ')).toBe('123456');
    expect(checkTotpCode('123-456')).toBeUndefined();
    expect(checkTotpCode('')).toMatch(/Enter the 6-digit code/);
    expect(checkTotpCode('12345')).toBe('The code is 6 digits.');
    expect(checkTotpCode('12345a')).toBe('The code is 6 digits.');
    expect(checkBackupCode('abcde-fghjk')).toBeUndefined();
    expect(checkBackupCode('')).toMatch(/backup codes/);
    expect(checkBackupCode('abc')).toMatch(/xxxxx-xxxxx/);
  });

  it('writes a backup-codes file that names the account and numbers the codes', () => {
    const text = backupCodesText(CODES, 'ada@example.com', 'Chatbot Agent', new Date('2026-01-02T03:04:05Z'));
    expect(text).toContain('Chatbot Agent backup codes for ada@example.com');
    expect(text).toContain('Created 2026-01-02.');
    expect(text).toContain(' 1. abcde-fghjk\n 2. mnpqr-stvwx');
  });
});

describe('<TotpSetup>', () => {
  it('draws the QR code as an image and shows the key grouped, copying it ungrouped', async () => {
    const user = userEvent.setup(); // also gives navigator a clipboard to read back
    render(<TotpSetup totpUri={URI} secret={SECRET} />);
    const qr = screen.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    expect(qr.tagName.toLowerCase()).toBe('svg');
    expect(qr.querySelectorAll('path').length).toBeGreaterThan(0);
    expect(screen.getByTestId('totp-secret').textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    await user.click(screen.getByRole('button', { name: 'Copy key' }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(await screen.findByText('Copied to the clipboard.')).toBeTruthy();
  });

  it('draws a different code for a different secret', () => {
    const { container, rerender } = render(<TotpSetup totpUri={URI} secret={SECRET} />);
    const first = container.querySelector('svg path:last-of-type')?.getAttribute('d');
    rerender(<TotpSetup totpUri={URI.replace(SECRET, 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU')} secret="KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU" />);
    expect(container.querySelector('svg path:last-of-type')?.getAttribute('d')).not.toBe(first);
  });
});

describe('<BackupCodes>', () => {
  it('lists the codes once, copies them, offers a download and can be dismissed', async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    render(<BackupCodes codes={CODES} account="ada@example.com" onDone={onDone} />);
    const list = screen.getByRole('list', { name: 'Save your backup codes' });
    expect([...list.querySelectorAll('li')].map((li) => li.textContent)).toEqual(CODES);
    await user.click(screen.getByRole('button', { name: 'Copy codes' }));
    expect(await navigator.clipboard.readText()).toBe(CODES.join('\n'));
    const download = screen.getByRole('link', { name: 'Download' });
    expect(download.getAttribute('download')).toBe('backup-codes.txt');
    await waitFor(() => expect(download.getAttribute('href')).toMatch(/^(blob:|data:text\/plain)/));
    await user.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(onDone).toHaveBeenCalledOnce();
  });
});

describe('<CodeField>', () => {
  it('asks for digits with one-time-code autofill, or for a backup code without autocorrection', () => {
    render(
      <>
        <CodeField kind="totp" label="Code" name="code" value="" onChange={() => undefined} error="The code is 6 digits." />
        <CodeField kind="backup" label="Backup code" name="backup" value="" onChange={() => undefined} />
      </>,
    );
    const totp = screen.getByLabelText('Code');
    expect(totp.getAttribute('inputmode')).toBe('numeric');
    expect(totp.getAttribute('autocomplete')).toBe('one-time-code');
    expect(totp.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('The code is 6 digits.').id).toBe(totp.getAttribute('aria-describedby'));
    const backup = screen.getByLabelText('Backup code');
    expect(backup.getAttribute('inputmode')).toBe('text');
    expect(backup.getAttribute('autocomplete')).toBe('off');
  });
});
