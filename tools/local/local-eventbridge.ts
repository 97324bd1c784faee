import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: unknown;
}

export interface LocalRule {
  readonly source: string;
  readonly detailType: string;
  readonly target: (event: BusEvent) => void;
}

export interface LocalEventBridge {
  readonly endpoint: string;
  addRule(rule: LocalRule): void;
  close(): Promise<void>;
}

/**
 * A local stand-in for the `coupons` event bus: answers the SDK's PutEvents (so handlers publish exactly
 * as on AWS), appends every event to a JSON-lines file, and hands events that match a rule to its target.
 */
export async function startLocalEventBridge(options: { eventsFile: string }): Promise<LocalEventBridge> {
  const rules: LocalRule[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (!target.endsWith('.PutEvents')) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'UnknownOperationException', message: `not emulated: ${target}` }));
        return;
      }
      const { Entries = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: Array<{ Source: string; DetailType: string; Detail: string; Time?: number | string }> };
      const results = Entries.map((entry) => {
        const event: BusEvent = {
          version: '0',
          id: randomUUID(),
          source: entry.Source,
          'detail-type': entry.DetailType,
          time: new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : (entry.Time ?? Date.now())).toISOString(),
          detail: JSON.parse(entry.Detail),
        };
        appendFileSync(options.eventsFile, `${JSON.stringify(event)}\n`);
        for (const rule of rules) if (rule.source === event.source && rule.detailType === event['detail-type']) rule.target(event);
        return { EventId: event.id };
      });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ FailedEntryCount: 0, Entries: results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    addRule: (rule) => rules.push(rule),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
