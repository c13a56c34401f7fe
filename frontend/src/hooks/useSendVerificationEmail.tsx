import { useCallback, useState } from 'react';
import { useClient } from 'urql';
import { SendVerificationEmailMutation } from '../graphql/accountOperations';
import { LiveMessage } from '../components/Feedback';
import { runMutation } from '../graphql/run';
import { authErrorMessage, type AuthErrorData } from '../lib/errors';

export interface SendAnswer {
  ok: boolean;
  text: string;
}

/** `sendVerificationEmail` for a "send a new link" button: whether it is sending, and what the server said. */
export function useSendVerificationEmail(onAuthError?: (error: AuthErrorData) => void) {
  const client = useClient();
  const [sending, setSending] = useState(false);
  const [answer, setAnswer] = useState<SendAnswer>();
  const send = useCallback(async () => {
    setSending(true);
    setAnswer(undefined);
    const outcome = await runMutation(client, SendVerificationEmailMutation, {});
    setSending(false);
    if (!outcome.ok) return setAnswer({ ok: false, text: outcome.message });
    const result = outcome.data.sendVerificationEmail;
    if (result.__typename === 'AuthError') {
      onAuthError?.(result);
      return setAnswer({ ok: false, text: authErrorMessage(result) });
    }
    setAnswer({ ok: true, text: result.message });
  }, [client, onAuthError]);
  return { send, sending, answer };
}

/** The answer in a polite live region (always in the page, so it is announced when it appears). */
export function SendAnswerRegion({ answer }: { answer: SendAnswer | undefined }) {
  return <LiveMessage message={answer && { kind: answer.ok ? 'success' : 'error', text: answer.text }} />;
}
