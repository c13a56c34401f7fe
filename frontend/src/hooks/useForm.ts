import { useCallback, useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import type { FormFeedback } from '../lib/errors';
import { hasErrors, type FieldErrors } from '../lib/validation';

export interface UseFormOptions<F extends string> {
  initial: Record<F, string>;
  validate: (values: Record<F, string>) => FieldErrors<F>;
  /** Sends the form; returns what to show when it failed (nothing on success). */
  submit: (values: Record<F, string>) => Promise<FormFeedback<F> | void>;
  /** Empty the fields after a successful submit (for forms that stay on the page). */
  resetOnSuccess?: boolean;
}

function fieldCount(n: number): string {
  return n === 1 ? '1 field needs your attention.' : `${n} fields need your attention.`;
}

/**
 * Form state with the behaviour every form here shares: client checks first, one request at a time, errors
 * next to fields or for the whole form, and focus moved to what needs attention (first invalid field, or the
 * form alert) so keyboard and screen-reader users are not left on a button that was disabled.
 */
export function useForm<F extends string>({ initial, validate, submit, resetOnSuccess = false }: UseFormOptions<F>) {
  const initialValues = useRef(initial);
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [summary, setSummary] = useState<string | undefined>();
  const [pending, setPending] = useState(false);
  const [attempts, setAttempts] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const busy = useRef(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    if (attempts === 0) return;
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (invalid) invalid.focus();
    else if (formError) alertRef.current?.focus();
  }, [attempts]); // eslint-disable-line react-hooks/exhaustive-deps -- focus once per failed submit

  const field = useCallback(
    (name: F) => ({
      name,
      value: values[name],
      error: errors[name],
      onChange: (event: ChangeEvent<HTMLInputElement>) => {
        const value = event.target.value;
        setValues((v) => ({ ...v, [name]: value }));
        setErrors((e) => {
          if (!(name in e)) return e;
          const next = { ...e };
          delete next[name];
          return next;
        });
      },
    }),
    [values, errors],
  );

  const fail = useCallback((feedback: FormFeedback<F>) => {
    const count = Object.keys(feedback.fields).length;
    setErrors(feedback.fields);
    setFormError(feedback.form);
    setSummary(count > 0 && !feedback.form ? fieldCount(count) : undefined);
    setAttempts((n) => n + 1);
  }, []);

  const onSubmit = useCallback(
    async (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      if (busy.current) return;
      const found = validate(values);
      if (hasErrors(found)) {
        fail({ fields: found });
        return;
      }
      busy.current = true;
      setPending(true);
      setFormError(undefined);
      setSummary(undefined);
      try {
        const feedback = await submit(values);
        if (feedback && mounted.current) fail(feedback);
        else if (mounted.current) {
          setErrors({});
          if (resetOnSuccess) setValues(initialValues.current);
        }
      } finally {
        busy.current = false;
        if (mounted.current) setPending(false);
      }
    },
    [values, validate, submit, fail, resetOnSuccess],
  );

  return { values, setValues, errors, formError, summary, pending, field, onSubmit, formRef, alertRef };
}
