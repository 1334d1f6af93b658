// Stands in for `@aws-sdk/client-dynamodb` in the proxy bundle (esbuild alias,
// lib/constructs/lambda-bundling.ts): the low-level client the document client wraps.
import { AwsJsonClient, type AwsJsonClientConfig } from './aws-json-client.ts';

const DYNAMODB = {
  name: 'dynamodb',
  endpointId: 'DYNAMODB',
  targetPrefix: 'DynamoDB_20120810',
  jsonVersion: '1.0',
} as const;

export class DynamoDBClient {
  /** The signed JSON transport (lib-dynamodb.ts sends through it). */
  readonly json: AwsJsonClient;

  constructor(config: AwsJsonClientConfig = {}) {
    this.json = new AwsJsonClient(DYNAMODB, config);
  }

  destroy(): void {
    this.json.destroy();
  }
}
