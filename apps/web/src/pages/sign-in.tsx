import {
  Alert,
  Anchor,
  Button,
  Center,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, setCsrfToken } from '../api.js';

function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(params.get('error'));
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ csrf_token: string }>('/auth/sign-in', {
        method: 'POST',
        body: { email, password },
      });
      setCsrfToken(result.csrf_token);
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      navigate(next, { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 429
          ? 'Too many attempts. Wait a few minutes and try again.'
          : err instanceof ApiError && err.status === 401
            ? 'Wrong email or password.'
            : 'Sign-in failed. Check your input and try again.',
      );
    } finally {
      setBusy(false);
    }
  };

  const sso = () => {
    const query = new URLSearchParams({ email, return_to: next });
    window.location.assign(`/auth/oidc/start?${query}`);
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400} component="main">
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h2" id="sign-in-title">
              Sign in to Toktra
            </Title>
            {error && (
              <Alert color="red" role="alert" title="Could not sign in">
                {error}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy} disabled={!password}>
              Sign in
            </Button>
            <Divider label="or" labelPosition="center" />
            <Button variant="default" onClick={sso} disabled={!email.includes('@')}>
              Sign in with single sign-on
            </Button>
            <Text size="xs" c="dimmed">
              Single sign-on uses your organization’s identity provider; enter your work email first.{' '}
              <Anchor href="/docs" size="xs">
                API docs
              </Anchor>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
