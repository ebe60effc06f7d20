import { StrictMode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { AREAS, homePath } from './areas';
import { accessToken, api, setTokens, unwrap, whenSignedOut, type Me, type Unit } from './lib/api';
import { I18nContext, makeI18n, useI18n, type Lang } from './lib/i18n';
import { SessionContext, type Session } from './lib/session';
import { SignIn } from './sign-in';

const ROLE_NAMES: Record<Me['role'], [string, string]> = {
  sysadmin: ['系统管理员', 'System administrator'],
  info_admin: ['信息管理员', 'Information administrator'],
  query: ['查询用户', 'Query user'],
  teacher: ['教师', 'Teacher'],
};

function Shell({ session }: { session: Session }) {
  const i18n = useI18n();
  const location = useLocation();
  const areas = AREAS.filter((a) => a.visible(session));
  const current = location.pathname.split('/')[1] ?? '';
  const { me, unit } = session;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        width={208}
        theme="light"
        breakpoint="lg"
        collapsedWidth={0}
        style={{ borderRight: '1px solid #f0f0f0' }}
      >
        <div style={{ padding: '16px 20px', fontWeight: 600, lineHeight: 1.3 }}>{i18n.t('appName')}</div>
        <nav aria-label={i18n.lang === 'zh' ? '主菜单' : 'Main menu'}>
          <Menu
            mode="inline"
            selectedKeys={[current]}
            items={areas.map((a) => ({ key: a.path, label: <NavLink to={`/${a.path}`}>{i18n.t(a.label)}</NavLink> }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
            gap: 16,
            borderBottom: '1px solid #f0f0f0',
            paddingInline: 24,
          }}
        >
          <Space size="middle">
            <Typography.Text data-testid="whoami">
              {me.realName} · {i18n.pick(...ROLE_NAMES[me.role])}
            </Typography.Text>
            {unit && <Tag>{unit.name}</Tag>}
            <Button type="link" onClick={() => i18n.setLang(i18n.lang === 'zh' ? 'en' : 'zh')}>
              {i18n.t('language')}
            </Button>
            <Button onClick={session.signOut}>{i18n.t('signOut')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Suspense fallback={<Spin aria-label={i18n.t('loading')} />}>
            <Routes>
              <Route path="/" element={<Navigate to={`/${homePath(session)}`} replace />} />
              {areas.map((a) => (
                <Route key={a.path} path={`/${a.path}/*`} element={<a.screen />} />
              ))}
              <Route
                path="*"
                element={
                  <Result
                    status="404"
                    title={AREAS.some((a) => a.path === current) ? i18n.t('noAccess') : i18n.t('notFound')}
                  />
                }
              />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function Root() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('tmis.lang') === 'en' ? 'en' : 'zh'));
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('tmis.lang', l);
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    setLangState(l);
  }, []);
  const i18n = useMemo(() => makeI18n(lang, setLang), [lang, setLang]);
  const [session, setSession] = useState<Session | null>(null);
  const [booting, setBooting] = useState(!!accessToken());

  const signOut = useCallback(() => {
    void fetch('/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${accessToken() ?? ''}` } }).catch(
      () => undefined,
    );
    setTokens(null);
    setSession(null);
  }, []);

  const load = useCallback(async () => {
    const me = await unwrap<Me>(api.GET('/auth/me'));
    if (me.mustChangePassword) return null;
    const unit = await unwrap<Unit>(api.GET('/units/{id}', { params: { path: { id: me.unitId } } })).catch(() => null);
    return { me, unit, signOut } satisfies Session;
  }, [signOut]);

  useEffect(() => {
    whenSignedOut(() => setSession(null));
    if (!accessToken()) return;
    load()
      .then((s) => setSession(s))
      .catch(() => setTokens(null))
      .finally(() => setBooting(false));
  }, [load]);

  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1d4f91' } }}>
      <AntApp>
        <I18nContext.Provider value={i18n}>
          {booting ? (
            <Spin fullscreen aria-label={i18n.t('loading')} />
          ) : session ? (
            <SessionContext.Provider value={session}>
              <BrowserRouter basename="/console">
                <Shell session={session} />
              </BrowserRouter>
            </SessionContext.Provider>
          ) : (
            <SignIn onSignedIn={async () => setSession(await load())} />
          )}
        </I18nContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}

document.documentElement.lang = localStorage.getItem('tmis.lang') === 'en' ? 'en' : 'zh-CN';
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
