import { lazy, StrictMode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { accessToken, api, setTokens, unwrap, whenSignedOut, type Me, type Unit } from './lib/api';
import { I18nContext, makeI18n, type Lang } from './lib/i18n';
import { SessionContext, type Session } from './lib/session';
import { SignIn } from './sign-in';

/** The signed-in console (menu, header, areas): loaded after sign-in, not with the sign-in screen. */
const Shell = lazy(() => import('./shell'));

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
                <Suspense fallback={<Spin fullscreen aria-label={i18n.t('loading')} />}>
                  <Shell session={session} />
                </Suspense>
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
