import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError, api, type Me, type Permission, setCsrfToken } from './api.js';

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      const me = await api<Me>('/v1/me');
      setCsrfToken(me.csrf_token);
      return me;
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function hasPermission(me: Me | undefined, permission: Permission): boolean {
  return !!me?.permissions.includes(permission);
}

/** Renders children once signed in and holding `permission`; otherwise redirects. */
export function RequireAuth({ children, permission }: { children: ReactNode; permission?: Permission }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.error) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      const next = encodeURIComponent(location.pathname + location.search);
      return <Navigate to={`/sign-in?next=${next}`} replace />;
    }
    throw me.error;
  }
  if (permission && !hasPermission(me.data, permission)) {
    // Employees land in their portal; nothing else is theirs to open.
    return <Navigate to="/portal" replace />;
  }
  return <>{children}</>;
}
