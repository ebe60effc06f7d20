import { Suspense } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { Button, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { AREAS, homePath } from './areas';
import type { Me } from './lib/api';
import { useI18n } from './lib/i18n';
import type { Session } from './lib/session';

const ROLE_NAMES: Record<Me['role'], [string, string]> = {
  sysadmin: ['系统管理员', 'System administrator'],
  info_admin: ['信息管理员', 'Information administrator'],
  query: ['查询用户', 'Query user'],
  teacher: ['教师', 'Teacher'],
};

/**
 * The signed-in console: the menu of the account's areas, the header, and the area's screen. A chunk
 * of its own, so the first load (the sign-in screen) does not carry the menu and layout.
 */
export default function Shell({ session }: { session: Session }) {
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
