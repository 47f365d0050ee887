/** Reading who was told what from recorded notifications, per integration shape. */
import { describe, expect, it } from 'vitest';
import { deliveriesOf, receiversOf, severityOf } from '../live/notifications';
import type { Notification } from '../live/webhookReceiver';

const n = (receiver: string, integration: string, body: unknown): Notification => ({ receiver, integration, index: 0, receivedAt: 0, body, text: JSON.stringify(body) });

const slack = n('critical', 'slack', { channel: '#a', attachments: [{ title: '[FIRING:1] RedisDown (redis)', text: '*critical* Redis is down\nwarning: caches miss' }] });
const pagerduty = n('critical', 'pagerduty', { routing_key: 'k', payload: { summary: 'RedisDown (redis): Redis is down', severity: 'critical' } });
const watchdog = n('deadmansswitch', 'webhook', { receiver: 'deadmansswitch', alerts: [{ labels: { alertname: 'Watchdog', severity: 'none' } }] });
const other = n('warning', 'slack', { attachments: [{ title: '[FIRING:1] RedisMemoryHigh (redis)', text: '*warning* memory' }] });

describe('severityOf', () => {
  it('reads webhook labels, the PagerDuty payload and the first severity word of a message', () => {
    expect(severityOf(watchdog, 'Watchdog')).toBe('none');
    expect(severityOf(pagerduty, 'RedisDown')).toBe('critical');
    expect(severityOf(slack, 'RedisDown')).toBe('critical');
    expect(severityOf(n('r', 'slack', { text: 'no level here' }), 'X')).toBeUndefined();
  });
});

describe('deliveriesOf', () => {
  it('lists each receiver and integration that told about the alert once, with its severity', () => {
    const known = ['RedisDown', 'RedisMemoryHigh', 'Watchdog'];
    expect(deliveriesOf([slack, pagerduty, slack, watchdog, other], 'RedisDown', known)).toEqual([
      { receiver: 'critical', integration: 'pagerduty', severity: 'critical' },
      { receiver: 'critical', integration: 'slack', severity: 'critical' },
    ]);
    expect(deliveriesOf([slack, watchdog], 'Watchdog', known)).toEqual([{ receiver: 'deadmansswitch', integration: 'webhook', severity: 'none' }]);
    expect(deliveriesOf([slack], 'RedisMemoryHigh', known)).toEqual([]);
  });
});

describe('receiversOf', () => {
  it('summarises what each rendered receiver notifies', () => {
    const doc = {
      receivers: [
        { name: 'blackhole' },
        { name: 'critical', slack_configs: [{ channel: '#a' }], pagerduty_configs: [{ routing_key: 'x' }] },
        { name: 'dms', webhook_configs: [{ url: '${secret:deadMansSwitchUrl}' }] },
      ],
    };
    expect(receiversOf(doc)).toEqual([
      { name: 'blackhole', integrations: [], webhookUrls: [] },
      { name: 'critical', integrations: ['pagerduty', 'slack'], webhookUrls: [] },
      { name: 'dms', integrations: ['webhook'], webhookUrls: ['${secret:deadMansSwitchUrl}'] },
    ]);
    expect(receiversOf(undefined)).toEqual([]);
  });
});
