import { QRCodeSVG } from 'qrcode.react';
import { groupSecret } from '../../lib/twoFactor';
import { CopyButton } from './CopyButton';

/**
 * Step one of turning on two-factor: the QR code an authenticator app scans (the `otpauth://` URI, drawn by
 * qrcode.react as SVG, dark on light with a quiet zone so every scanner reads it) and the same secret as text
 * for typing in by hand.
 */
export function TotpSetup({ totpUri, secret }: { totpUri: string; secret: string }) {
  return (
    <div className="totp-setup">
      <figure className="totp-qr">
        <QRCodeSVG
          value={totpUri}
          size={200}
          level="M"
          marginSize={4}
          bgColor="#ffffff"
          fgColor="#111827"
          role="img"
          aria-label="QR code to scan with your authenticator app"
          data-testid="totp-qr"
        />
        <figcaption className="muted">Scan with an authenticator app (1Password, Google Authenticator, Authy…).</figcaption>
      </figure>
      <div className="totp-manual">
        <p className="field-label" id="totp-secret-label">
          Can’t scan? Enter this key instead
        </p>
        <p>
          <code className="secret" aria-labelledby="totp-secret-label" data-testid="totp-secret">
            {groupSecret(secret)}
          </code>
        </p>
        <p className="muted">Time-based, 6 digits, every 30 seconds.</p>
        <CopyButton text={secret} label="Copy key" />
      </div>
    </div>
  );
}
