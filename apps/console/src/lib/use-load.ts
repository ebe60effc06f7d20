import { useCallback, useEffect, useState } from 'react';

/** Loads once (and again on `reload`), keeping the data, the error and whether it is loading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(() => {
    setLoading(true);
    setError(null);
    return load()
      .then(setData, setError)
      .finally(() => setLoading(false));
  }, deps); // the caller names what the loader depends on
  useEffect(() => void reload(), [reload]);
  return { data, error, loading, reload, setError };
}
