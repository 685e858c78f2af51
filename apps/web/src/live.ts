import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

/**
 * Subscribes to the server's live usage stream (SSE). Each notice marks usage queries stale so
 * the visible charts refetch within about a second: new usage appears without a reload.
 */
export function useLiveUsage(enabled: boolean): { connected: boolean; lastEventAt: number | null } {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [lastEventAt, setLastEventAt] = useState<number | null>(null);
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource('/v1/overview/stream');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      setLastEventAt(Date.now());
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void queryClient.invalidateQueries({ queryKey: ['usage'] });
        void queryClient.invalidateQueries({ queryKey: ['overview'] });
        void queryClient.invalidateQueries({ queryKey: ['devices'] });
      }, 500);
    };
    source.addEventListener('open', () => setConnected(true));
    source.addEventListener('error', () => setConnected(false));
    source.addEventListener('usage', refresh);
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [enabled, queryClient]);
  return { connected, lastEventAt };
}
