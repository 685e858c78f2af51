import { Alert, Badge, Button, Card, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { generatePerkKeyPair, MIN_PASSPHRASE_LENGTH, unwrapPrivateKey, wrapPrivateKey } from '@toktra/perks';
import { useState } from 'react';
import { api } from '../../api.js';
import { getMyPerks } from './perks-api.js';
import { PersonalUsageView } from './personal-usage-view.js';

/**
 * Token Perks in the employee portal. The key pair is made here, the private key is wrapped here
 * by the employee's passphrase, and personal entries are opened here: the unwrapped key lives only
 * in this component's memory (never storage), and is gone on reload or sign-out.
 */
export function TokenPerksSection() {
  const perks = useQuery({ queryKey: ['perks', 'me'], queryFn: getMyPerks });
  const [privateKey, setPrivateKey] = useState<string | null>(null);
  const enrollment = perks.data?.enrollment ?? null;

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="token-perks">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4" id="token-perks">
          Token Perks — personal usage
        </Title>
        <Badge color={enrollment ? 'teal' : 'gray.7'}>{enrollment ? 'Opted in' : 'Not opted in'}</Badge>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        With personal mode on (<code>toktra agent personal on</code>), your device encrypts each personal AI
        request to your own key before it leaves. Only you can read these records, here, with your passphrase
        — not your administrators, not Toktra. Admins see only how many people opted in and total redemptions.
        Records are deleted after 90 days.
      </Text>
      {perks.isPending ? (
        <Text c="dimmed">Loading…</Text>
      ) : !enrollment ? (
        <OptIn onEnrolled={setPrivateKey} />
      ) : privateKey ? (
        <PersonalUsageView
          privateKey={privateKey}
          allowance={perks.data?.allowance ?? null}
          onLock={() => setPrivateKey(null)}
        />
      ) : (
        <Unlock
          onUnlock={async (passphrase) => {
            if (!enrollment.wrapped_private_key)
              throw new Error('this enrollment keeps its key on another device');
            setPrivateKey(
              await unwrapPrivateKey(enrollment.wrapped_private_key, enrollment.public_key, passphrase),
            );
          }}
        />
      )}
    </Card>
  );
}

function OptIn({ onEnrolled }: { onEnrolled: (privateKey: string) => void }) {
  const client = useQueryClient();
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tooShort = passphrase.length < MIN_PASSPHRASE_LENGTH;

  async function optIn() {
    setBusy(true);
    setError(null);
    try {
      const pair = await generatePerkKeyPair();
      const wrapped = await wrapPrivateKey(pair.privateKey, pair.publicKey, passphrase);
      await api('/v1/me/perks/enrollment', {
        method: 'POST',
        body: { public_key: pair.publicKey, wrapped_private_key: wrapped },
      });
      onEnrolled(pair.privateKey);
      await client.invalidateQueries({ queryKey: ['perks', 'me'] });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="xs" maw={420}>
      <PasswordInput
        label="Choose a passphrase"
        description={`At least ${MIN_PASSPHRASE_LENGTH} characters. It never leaves this browser; if you forget it, your personal records cannot be recovered by anyone.`}
        value={passphrase}
        onChange={(e) => setPassphrase(e.currentTarget.value)}
      />
      <PasswordInput
        label="Repeat the passphrase"
        value={confirm}
        onChange={(e) => setConfirm(e.currentTarget.value)}
        error={confirm && confirm !== passphrase ? 'The passphrases differ' : undefined}
      />
      {error && <Alert color="red">{error}</Alert>}
      <Group>
        <Button onClick={optIn} loading={busy} disabled={tooShort || confirm !== passphrase}>
          Opt in to Token Perks
        </Button>
      </Group>
    </Stack>
  );
}

function Unlock({ onUnlock }: { onUnlock: (passphrase: string) => Promise<void> }) {
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await onUnlock(passphrase);
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Stack gap="xs" maw={420}>
        <PasswordInput
          label="Passphrase"
          description="Unlocks your personal records in this browser"
          value={passphrase}
          onChange={(e) => setPassphrase(e.currentTarget.value)}
          error={error}
        />
        <Group>
          <Button type="submit" loading={busy} disabled={!passphrase}>
            Unlock my personal usage
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
