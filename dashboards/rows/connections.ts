/** Open connections of the application, by kind (API Performance and Service overview). */
import * as app from '../../catalog/application';
import { series, sum } from '../../catalog/query';
import { timeseriesPanel, type Row } from '../common';
import { valueUnit } from '../units';
import { INSTANCE, SERVICE } from '../variables';

export function activeConnections() {
  return timeseriesPanel({
    title: 'Active connections by type',
    description: 'Connections the application holds open right now (HTTP, database, Redis, websocket).',
    unit: valueUnit(app.active_connections),
    targets: [{ expr: sum(series(app.active_connections).select({ service: SERVICE, instance: INSTANCE }), ['service', 'type']), legend: '{{service}} {{type}}' }],
    width: 24,
  });
}

export function connectionsRow(): Row {
  return { title: 'Connections', panels: [activeConnections()] };
}
