import { createContext, useContext } from 'react';
import type { Me, Unit } from './api';

export interface Session {
  me: Me;
  /** The account's own unit (null when the role may not read it, e.g. some teachers). */
  unit: Unit | null;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

/** A school (or its secondary department) rather than an administrative department. */
export const atSchool = (s: Pick<Session, 'unit'>) => s.unit?.kind === 'school' || s.unit?.kind === 'department';

/**
 * A session on the national node: its tree starts at the ministry (000000), a provincial node's at its
 * province. Reporting cycles and custom indicators are a province's, served by provincial nodes only —
 * not to the ministry, the central universities, nor a province's accounts at the national node.
 */
export const onNationalNode = (s: Pick<Session, 'me'>) => s.me.unitPath.startsWith('/000000/');
