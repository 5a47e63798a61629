import { useState } from 'react';
import { Button, Group, Paper, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { OfferCreatedEvent } from '@readerdesk/contracts';
import type { LiveSocket } from './live';
import { useNow } from './util';

export function OfferCard({ offer, socket }: { offer: OfferCreatedEvent; socket: LiveSocket | null }) {
  const { t } = useTranslation();
  const [received] = useState(() => Date.now());
  const now = useNow(1000);
  const [error, setError] = useState<string | null>(null);
  const left = offer.timeoutMs === null ? null : Math.max(0, Math.ceil((offer.timeoutMs - (now - received)) / 1000));
  const answer = (event: 'offer.accept' | 'offer.reject') =>
    socket?.emit(event, { offerId: offer.offerId }, (reply) => {
      if (!reply.ok) setError(t('offer.ended', { reason: reply.error ?? '' }));
    });
  return (
    <Paper role="alertdialog" aria-label={t('offer.title')} m="md" p="md" withBorder shadow="md" data-testid="offer">
      <Group justify="space-between">
        <div>
          <Text fw={700}>{t('offer.title')}</Text>
          <Text size="sm">
            #{offer.conversation.number} {offer.conversation.subject ?? ''} · {offer.reader.displayName ?? ''} ·{' '}
            {offer.channel}
          </Text>
          {left !== null && <Text size="sm">{t('offer.left', { seconds: left })}</Text>}
          {error && <Text c="red">{error}</Text>}
        </div>
        <Group>
          <Button onClick={() => answer('offer.accept')}>{t('offer.accept')}</Button>
          <Button variant="default" onClick={() => answer('offer.reject')}>
            {t('offer.reject')}
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
