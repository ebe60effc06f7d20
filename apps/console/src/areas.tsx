import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { TextKey } from './lib/i18n';
import { atSchool, onNationalNode, type Session } from './lib/session';

/**
 * The console's areas: each is a route, a menu entry shown to the accounts it serves, and a chunk
 * of its own loaded on first visit. A screen for a new API area is one entry here and one file
 * under areas/ (its `default` export is the screen).
 */
export interface Area {
  path: string;
  label: TextKey;
  visible(s: Session): boolean;
  screen: LazyExoticComponent<ComponentType>;
}

const role = (s: Session, ...roles: Session['me']['role'][]) => roles.includes(s.me.role);

export const AREAS: Area[] = [
  { path: 'todo', label: 'todo', visible: (s) => role(s, 'info_admin'), screen: lazy(() => import('./areas/todo')) },
  {
    path: 'me',
    label: 'myRecord',
    visible: (s) => role(s, 'teacher'),
    screen: lazy(() => import('./areas/my-record')),
  },
  {
    path: 'my-credits',
    label: 'myCredits',
    visible: (s) => role(s, 'teacher'),
    screen: lazy(() => import('./areas/my-credits')),
  },
  {
    path: 'my-registration',
    label: 'myRegistration',
    visible: (s) => role(s, 'teacher'),
    screen: lazy(() => import('./areas/my-registration')),
  },
  {
    path: 'teachers',
    label: 'teachers',
    visible: (s) => role(s, 'info_admin', 'query'),
    screen: lazy(() => import('./areas/teachers')),
  },
  {
    path: 'review',
    label: 'review',
    visible: (s) => role(s, 'info_admin'),
    screen: lazy(() => import('./areas/review')),
  },
  {
    path: 'change-requests',
    label: 'changeRequests',
    visible: (s) => role(s, 'info_admin'),
    screen: lazy(() => import('./areas/change-requests')),
  },
  {
    path: 'transfers',
    label: 'transfers',
    visible: (s) => role(s, 'info_admin'),
    screen: lazy(() => import('./areas/transfers')),
  },
  {
    path: 'cross-province',
    label: 'crossProvince',
    visible: (s) => role(s, 'info_admin', 'query') && s.unit?.kind === 'ministry',
    screen: lazy(() => import('./areas/cross-province')),
  },
  {
    path: 'registrations',
    label: 'registrations',
    visible: (s) => role(s, 'info_admin'),
    screen: lazy(() => import('./areas/registrations')),
  },
  {
    path: 'bulk',
    label: 'bulk',
    visible: (s) => role(s, 'info_admin') && atSchool(s),
    screen: lazy(() => import('./areas/bulk')),
  },
  {
    path: 'cycles',
    label: 'cycles',
    visible: (s) => role(s, 'info_admin') && !onNationalNode(s),
    screen: lazy(() => import('./areas/cycles')),
  },
  {
    path: 'spot-checks',
    label: 'spotChecks',
    visible: (s) => role(s, 'info_admin') && !atSchool(s),
    screen: lazy(() => import('./areas/spot-checks')),
  },
  {
    path: 'stats',
    label: 'stats',
    visible: (s) => role(s, 'info_admin', 'query', 'sysadmin'),
    screen: lazy(() => import('./areas/stats')),
  },
  {
    path: 'accounts',
    label: 'accounts',
    visible: (s) => role(s, 'sysadmin'),
    screen: lazy(() => import('./areas/accounts')),
  },
  {
    path: 'api-clients',
    label: 'apiClients',
    visible: (s) => role(s, 'sysadmin'),
    screen: lazy(() => import('./areas/api-clients')),
  },
  {
    path: 'units',
    label: 'orgUnits',
    visible: (s) => role(s, 'sysadmin'),
    screen: lazy(() => import('./areas/units')),
  },
  { path: 'audit', label: 'audit', visible: (s) => role(s, 'sysadmin'), screen: lazy(() => import('./areas/audit')) },
  {
    path: 'custom-fields',
    label: 'customFields',
    visible: (s) => role(s, 'info_admin', 'sysadmin') && !atSchool(s) && !onNationalNode(s),
    screen: lazy(() => import('./areas/custom-fields')),
  },
  {
    path: 'sync',
    label: 'sync',
    visible: (s) => role(s, 'sysadmin') && !atSchool(s),
    screen: lazy(() => import('./areas/sync')),
  },
];

/** The first screen of an account: its most used area. */
export function homePath(s: Session): string {
  if (s.me.role === 'teacher') return 'me';
  if (s.me.role === 'sysadmin') return 'accounts';
  if (s.me.role === 'query') return 'teachers';
  return atSchool(s) ? 'teachers' : 'todo';
}
