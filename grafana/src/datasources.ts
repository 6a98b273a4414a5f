import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** Datasource UIDs fixed by grafana/provisioning/datasources/tooltrail.yaml; dashboards and rules use them. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'tooltrail-prometheus' };
export const LOKI: DataSourceRef = { type: 'loki', uid: 'tooltrail-loki' };
export const TEMPO: DataSourceRef = { type: 'tempo', uid: 'tooltrail-tempo' };
