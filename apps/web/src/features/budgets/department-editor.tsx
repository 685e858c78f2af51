import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import type { TreeNode } from './types.js';

/** Every department but `exclude` and its subtree (a move there would make a cycle). */
function parentOptions(roots: TreeNode[], exclude: string | null): Array<{ value: string; label: string }> {
  const out: Array<{ value: string; label: string }> = [];
  const walk = (nodes: TreeNode[], path: string) => {
    for (const n of nodes) {
      if (n.id === exclude) continue;
      const label = path ? `${path} › ${n.name}` : n.name;
      out.push({ value: n.id, label });
      walk(n.children, label);
    }
  };
  walk(roots, '');
  return out;
}

/** Create a department, or rename / move / delete one. */
export function DepartmentEditor({
  tree,
  department,
  onClose,
}: {
  tree: TreeNode[];
  department: TreeNode | null;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState(department?.name ?? '');
  const [parent, setParent] = useState<string | null>(department?.parent_id ?? null);
  const [shown, setShown] = useState(false);
  const trimmed = name.trim();
  const problem = trimmed.length < 1 || trimmed.length > 200 ? 'Name: 1–200 characters' : undefined;
  const done = async () => {
    await client.invalidateQueries({ queryKey: ['budgets'] });
    await client.invalidateQueries({ queryKey: ['directory'] });
    onClose();
  };
  const save = useMutation({
    mutationFn: () =>
      department
        ? api(`/v1/departments/${department.id}`, {
            method: 'PATCH',
            body: {
              ...(trimmed !== department.name ? { name: trimmed } : {}),
              ...(parent !== department.parent_id ? { parent_id: parent } : {}),
            },
          })
        : api('/v1/departments', { method: 'POST', body: { name: trimmed, parent_id: parent } }),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: () => api(`/v1/departments/${department?.id}`, { method: 'DELETE' }),
    onSuccess: done,
  });
  const unchanged = department && trimmed === department.name && parent === department.parent_id;
  return (
    <Modal opened onClose={onClose} title={department ? `Department · ${department.name}` : 'New department'}>
      <Stack>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={shown ? problem : undefined}
        />
        <Select
          label="Parent department"
          placeholder="None (top level)"
          data={parentOptions(tree, department?.id ?? null)}
          value={parent}
          onChange={setParent}
          clearable
          searchable
        />
        {(save.error ?? remove.error) && (
          <Alert color="red" title="The server refused the change">
            {(save.error ?? remove.error)?.message}
          </Alert>
        )}
        <Group justify="space-between">
          {department ? (
            <Button
              variant="subtle"
              color="red"
              loading={remove.isPending}
              onClick={() => {
                if (
                  window.confirm(
                    `Delete ${department.name}? Its sub-departments and members move up to its parent; its budget is deleted.`,
                  )
                )
                  remove.mutate();
              }}
            >
              Delete department
            </Button>
          ) : (
            <span />
          )}
          <Group>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              loading={save.isPending}
              disabled={!!unchanged}
              onClick={() => {
                setShown(true);
                if (!problem) save.mutate();
              }}
            >
              {department ? 'Save' : 'Create department'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
