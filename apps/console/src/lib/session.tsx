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
