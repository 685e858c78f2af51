import { Button, Chip, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { DAY_LABELS, type PrivacyWindow } from './privacy-api.js';

/** Add or edit one weekly window: days (none = every day) and local start/end times. */
export function WindowForm({
  initial,
  onSave,
  onCancel,
  busy,
}: {
  initial?: PrivacyWindow;
  onSave: (window: PrivacyWindow) => void;
  onCancel?: () => void;
  busy: boolean;
}) {
  const [days, setDays] = useState<string[]>((initial?.days ?? []).map(String));
  const [start, setStart] = useState(initial?.start ?? '12:00');
  const [end, setEnd] = useState(initial?.end ?? '13:00');
  const invalid = !/^\d\d:\d\d$/.test(start) || !/^\d\d:\d\d$/.test(end) || start === end;

  return (
    <Stack gap="xs" data-testid="privacy-window-form">
      <Chip.Group multiple value={days} onChange={setDays}>
        <Group gap={6} role="group" aria-label="Days (none selected: every day)">
          {DAY_LABELS.map((label, i) => (
            <Chip key={label} value={String(i + 1)} size="xs">
              {label}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      <Text size="xs" c="dimmed">
        No day selected: every day. Times are in the time zone above.
      </Text>
      <Group align="end">
        <TextInput
          type="time"
          label="From"
          value={start}
          onChange={(e) => setStart(e.currentTarget.value)}
          w={130}
        />
        <TextInput
          type="time"
          label="Until"
          value={end}
          onChange={(e) => setEnd(e.currentTarget.value)}
          w={130}
        />
        <Button
          disabled={invalid}
          loading={busy}
          onClick={() => onSave({ days: days.map(Number).sort(), start, end })}
        >
          {initial ? 'Save window' : 'Add window'}
        </Button>
        {onCancel ? (
          <Button variant="subtle" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </Group>
      {start > end && !invalid ? (
        <Text size="xs" c="dimmed">
          Runs past midnight into the next day.
        </Text>
      ) : null}
    </Stack>
  );
}
