import { USER_ROLES } from '@toktra/db';
import { z } from 'zod';
import type { UserView } from '../../../users/service.js';

/** The public shape of a user in /v1 responses. */
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  department_id: z.string().nullable(),
  manager_id: z.string().nullable(),
  role: z.enum(USER_ROLES),
  created_at: z.string(),
});

export function toUserJson(u: UserView): z.infer<typeof userSchema> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    department_id: u.department_id,
    manager_id: u.manager_id,
    role: u.role,
    created_at: u.created_at.toISOString(),
  };
}
