import { randomUUID } from 'node:crypto';
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../lib/clients';
import { defaultSettings } from '../../lib/config';
import { createTable } from '../../tools/local/create-table';
import { dynamodbEndpoint } from './dynamodb-per-file';

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
}

/** A fresh table on this file's DynamoDB Local, shaped exactly like the deployed one. */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = await dynamodbEndpoint();
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const client = createClients({ ...defaultSettings, endpoints: { dynamodb: endpoint } }).dynamodb();
  await createTable(client as never, tableName);
  return { endpoint, tableName, client };
}

export async function scanAll(table: TestTable): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function queryPartition(table: TestTable, pk: string): Promise<Record<string, unknown>[]> {
  const page = await table.client.send(
    new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }),
  );
  return page.Items ?? [];
}
