/** Reconciliation fingerprints: computed the same way on a province (what it reported) and at national (what it received). */
export interface SchoolFingerprint {
  unitCode: string;
  count: number;
  hash: string;
}

export interface Fingerprint {
  province: string;
  total: number;
  hash: string;
  schools: SchoolFingerprint[];
}

/** The province-wide hash over the per-school hashes (order: by unit code). */
export function fingerprintOf(province: string, schools: SchoolFingerprint[]): Fingerprint {
  let h = 0n;
  for (const r of schools)
    for (const ch of `${r.unitCode}=${r.hash};`) h = (h * 131n + BigInt(ch.charCodeAt(0))) % 18446744073709551557n;
  return { province, total: schools.reduce((a, r) => a + r.count, 0), hash: h.toString(16), schools };
}
