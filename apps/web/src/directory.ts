import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type Directory } from './api.js';

/** The org's users, departments and models (names for ids, choices for pickers); cached 5 min. */
export function useDirectory() {
  const directory = useQuery({
    queryKey: ['directory'],
    queryFn: () => api<Directory>('/v1/overview/directory'),
    staleTime: 5 * 60_000,
  });
  return useMemo(() => {
    const data = directory.data ?? { users: [], departments: [], models: [] };
    return {
      ...data,
      isPending: directory.isPending,
      userName: new Map(data.users.map((u) => [u.id, u.name])),
      departmentName: new Map(data.departments.map((d) => [d.id, d.name])),
      userOptions: data.users.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
      departmentOptions: data.departments.map((d) => ({ value: d.id, label: d.name })),
    };
  }, [directory.data, directory.isPending]);
}
