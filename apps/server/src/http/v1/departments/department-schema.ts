import { z } from 'zod';
import type { DepartmentView } from '../../../departments/service.js';

/** The public shape of a department in /v1 responses. */
export const departmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  parent_id: z.string().nullable(),
  created_at: z.string(),
});

export function toDepartmentJson(d: DepartmentView): z.infer<typeof departmentSchema> {
  return { id: d.id, name: d.name, parent_id: d.parent_id, created_at: d.created_at.toISOString() };
}
