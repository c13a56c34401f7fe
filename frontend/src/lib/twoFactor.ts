// Two-factor helpers shared by the setup, backup-code and challenge screens. The server decides; these only catch
// what is certain on the client and format what it shows.

/** "JBSW Y3DP EHPK 3PXP": a secret for manual entry, in groups of four that are easy to read out and type. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

/** Six digits, whatever spaces or hyphens the user typed between them. */
export function normalizeTotpCode(value: string): string {
  return value.replace(/[\s-]/g, '');
}

export function checkTotpCode(value: string): string | undefined {
  const code = normalizeTotpCode(value);
  if (code === '') return 'Enter the 6-digit code from your authenticator app.';
  if (!/^\d{6}$/.test(code)) return 'The code is 6 digits.';
  return undefined;
}

export function checkBackupCode(value: string): string | undefined {
  const code = value.replace(/[\s-]/g, '');
  if (code === '') return 'Enter one of your backup codes.';
  if (code.length < 10 || code.length > 64) return 'A backup code looks like xxxxx-xxxxx.';
  return undefined;
}

/** The contents of the downloadable backup-codes file. */
export function backupCodesText(codes: readonly string[], account: string, appName: string, createdAt = new Date()): string {
  return [
    `${appName} backup codes for ${account}`,
    `Created ${createdAt.toISOString().slice(0, 10)}. Each code works once; keep them somewhere safe.`,
    '',
    ...codes.map((code, i) => `${String(i + 1).padStart(2, ' ')}. ${code}`),
    '',
  ].join('\n');
}
