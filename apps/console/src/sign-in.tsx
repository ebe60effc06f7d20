import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { api, ApiProblem, setTokens, unwrap } from './lib/api';
import { useI18n } from './lib/i18n';
import { problemText, ProblemAlert, showFieldErrors } from './lib/problem';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  mustChangePassword: boolean;
}

/** Sign-in, with the forced password change of a first login and the lockout message. */
export function SignIn({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const i18n = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [changing, setChanging] = useState<{ username: string; password: string } | null>(null);
  const [form] = Form.useForm();

  const signIn = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const t = await unwrap<Tokens>(api.POST('/auth/login', { body: v }));
      setTokens({ accessToken: t.accessToken, refreshToken: t.refreshToken });
      if (t.mustChangePassword) setChanging(v);
      else await onSignedIn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const change = async (v: { newPassword: string }) => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/auth/password', { body: { currentPassword: changing!.password, newPassword: v.newPassword } }),
      );
      // The change ends the session: sign in again with the new password.
      const t = await unwrap<Tokens>(
        api.POST('/auth/login', { body: { username: changing!.username, password: v.newPassword } }),
      );
      setTokens({ accessToken: t.accessToken, refreshToken: t.refreshToken });
      await onSignedIn();
    } catch (e) {
      if (!showFieldErrors(e, form, i18n, (p) => (p === 'newPassword' ? ['newPassword'] : null)).length) setError(e);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const locked = error instanceof ApiProblem && error.problem?.code === 'AUTH_ACCOUNT_LOCKED';
  // The lockout answer carries `lockedUntil`: the message names the minutes left.
  const lockedUntil = error instanceof ApiProblem ? Date.parse(String(error.problem?.lockedUntil ?? '')) : NaN;
  const retryAfter = Number.isFinite(lockedUntil) ? (lockedUntil - Date.now()) / 1000 : 600;

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <main>
        <Card style={{ width: 420 }}>
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            {i18n.t('appName')}
          </Typography.Title>
          <Button
            type="link"
            style={{ position: 'absolute', top: 12, right: 12 }}
            onClick={() => i18n.setLang(i18n.lang === 'zh' ? 'en' : 'zh')}
          >
            {i18n.t('language')}
          </Button>
          {locked ? (
            <Alert
              type="warning"
              showIcon
              role="alert"
              title={i18n.t('locked', { m: Math.max(1, Math.ceil(retryAfter / 60)) })}
              style={{ marginBottom: 16 }}
            />
          ) : error && !changing ? (
            <Alert type="error" showIcon role="alert" title={problemText(error, i18n)} style={{ marginBottom: 16 }} />
          ) : null}
          {!changing ? (
            <Form layout="vertical" onFinish={signIn} requiredMark={false} name="sign-in">
              <Form.Item name="username" label={i18n.t('username')} rules={[{ required: true }]}>
                <Input autoComplete="username" autoFocus />
              </Form.Item>
              <Form.Item name="password" label={i18n.t('password')} rules={[{ required: true }]}>
                <Input.Password autoComplete="current-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy}>
                {i18n.t('signIn')}
              </Button>
              <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
                {i18n.t('caNote')}
              </Typography.Paragraph>
            </Form>
          ) : (
            <Form form={form} layout="vertical" onFinish={change} requiredMark={false} name="change-password">
              <Alert
                type="info"
                showIcon
                title={i18n.t('mustChange')}
                description={i18n.t('passwordRule')}
                style={{ marginBottom: 16 }}
              />
              <ProblemAlert error={error} />
              <Form.Item name="newPassword" label={i18n.t('newPassword')} rules={[{ required: true, min: 8 }]}>
                <Input.Password autoComplete="new-password" autoFocus />
              </Form.Item>
              <Form.Item
                name="confirm"
                label={i18n.t('confirmPassword')}
                dependencies={['newPassword']}
                rules={[
                  { required: true },
                  ({ getFieldValue }) => ({
                    validator: (_, v) =>
                      !v || v === getFieldValue('newPassword')
                        ? Promise.resolve()
                        : Promise.reject(new Error(i18n.t('passwordsDiffer'))),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy}>
                {i18n.t('save')}
              </Button>
            </Form>
          )}
        </Card>
      </main>
    </div>
  );
}
