// AWS list prices the cost model uses, each with where it came from. Looked up on 2026-12 with
// the documentation search available to this project; AWS's own pricing pages render their rate
// tables client-side, so most figures come from pages quoting them. `assumed: true` marks a
// figure the search did not confirm: it is what AWS listed when last checked by hand; verify it
// on the AWS page before relying on it.

export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly assumed: boolean;
}

export interface PriceTable {
  readonly lambdaRequests: Price;
  readonly lambdaGbSecondArm64: Price;
  readonly lambdaGbSecondX86: Price;
  /** Response streaming: bytes beyond the first 6 MB of each response. */
  readonly lambdaStreamedGbBeyond6Mb: Price;
  readonly apiGatewayRestRequests: Price;
  /** Internet egress: API Gateway responses, and the Lambda's requests to the provider. */
  readonly dataTransferOutGb: Price;
  readonly dynamoWriteRequestUnits: Price;
  readonly dynamoReadRequestUnits: Price;
  readonly logsIngestedGb: Price;
  readonly kmsRequests: Price;
  readonly xrayTracesRecorded: Price;
  readonly secretsManagerCalls: Price;
}

export type Region = 'us-east-1' | 'eu-central-1';

const LAMBDA_PAGE = 'https://aws.amazon.com/lambda/pricing/';
const SOURCES = {
  lambdaRequests: `${LAMBDA_PAGE} (quoted verbatim in api-evangelist/aws-lambda plans-pricing.yml, read 2026-09-20)`,
  lambdaGbSeconds: `${LAMBDA_PAGE}, first tier, us-east-1 (quoted by cloudchipr.com/blog/aws-lambda-pricing; artillery lib/platform/aws-lambda/prices.js "base")`,
  lambdaStreaming: `${LAMBDA_PAGE}: first 6 MB per streamed response free (cloudchipr.com); the per-GB rate was not found`,
  apiGateway:
    'https://aws.amazon.com/api-gateway/pricing/ REST APIs, first 333 M/month, us-east-1 (quoted by awsforengineers.com 2025-05-19 and api-evangelist aws-api-gateway plans)',
  dataTransfer:
    'https://aws.amazon.com/api-gateway/pricing/ data transfer out, first 10 TB (quoted by awsforengineers.com 2025-05-19 and apigatewaycost.com)',
  dynamo:
    'https://aws.amazon.com/dynamodb/pricing/on-demand/ (unit rules found; the rate table is not in the stored text)',
  logs: 'https://aws.amazon.com/cloudwatch/pricing/ Logs standard ingestion, us-east-1 (quoted by c3x.dev, June 2026)',
  kms: 'https://aws.amazon.com/kms/pricing/ (quoted by gist.github.com/dasgoll, 2019)',
  xray: 'https://aws.amazon.com/xray/pricing/ (not found by the search)',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/ (not found by the search)',
  euCentral: 'eu-central-1 column of the same AWS page (not found by the search)',
} as const;

const price = (usd: number, unit: string, source: string, assumed = false): Price => ({
  usd,
  unit,
  source,
  assumed,
});

export const PRICES: Readonly<Record<Region, PriceTable>> = {
  'us-east-1': {
    lambdaRequests: price(0.2 / 1e6, 'request', SOURCES.lambdaRequests),
    lambdaGbSecondArm64: price(0.0000133334, 'GB-second', SOURCES.lambdaGbSeconds),
    lambdaGbSecondX86: price(0.0000166667, 'GB-second', SOURCES.lambdaGbSeconds),
    lambdaStreamedGbBeyond6Mb: price(0.008, 'GB', SOURCES.lambdaStreaming, true),
    apiGatewayRestRequests: price(3.5 / 1e6, 'request', SOURCES.apiGateway),
    dataTransferOutGb: price(0.09, 'GB', SOURCES.dataTransfer),
    dynamoWriteRequestUnits: price(0.625 / 1e6, 'WRU', SOURCES.dynamo, true),
    dynamoReadRequestUnits: price(0.125 / 1e6, 'RRU', SOURCES.dynamo, true),
    logsIngestedGb: price(0.5, 'GB', SOURCES.logs),
    kmsRequests: price(0.03 / 1e4, 'request', SOURCES.kms),
    xrayTracesRecorded: price(5 / 1e6, 'trace', SOURCES.xray, true),
    secretsManagerCalls: price(0.05 / 1e4, 'API call', SOURCES.secrets, true),
  },
  'eu-central-1': {
    lambdaRequests: price(0.2 / 1e6, 'request', SOURCES.euCentral, true),
    lambdaGbSecondArm64: price(0.0000133334, 'GB-second', SOURCES.euCentral, true),
    lambdaGbSecondX86: price(0.0000166667, 'GB-second', SOURCES.euCentral, true),
    lambdaStreamedGbBeyond6Mb: price(0.008, 'GB', SOURCES.euCentral, true),
    apiGatewayRestRequests: price(3.7 / 1e6, 'request', SOURCES.euCentral, true),
    dataTransferOutGb: price(0.09, 'GB', SOURCES.euCentral, true),
    dynamoWriteRequestUnits: price(0.7625 / 1e6, 'WRU', SOURCES.euCentral, true),
    dynamoReadRequestUnits: price(0.1525 / 1e6, 'RRU', SOURCES.euCentral, true),
    logsIngestedGb: price(0.63, 'GB', SOURCES.euCentral, true),
    kmsRequests: price(0.03 / 1e4, 'request', SOURCES.euCentral, true),
    xrayTracesRecorded: price(5 / 1e6, 'trace', SOURCES.euCentral, true),
    secretsManagerCalls: price(0.05 / 1e4, 'API call', SOURCES.euCentral, true),
  },
};

export function isRegion(value: string): value is Region {
  return Object.hasOwn(PRICES, value);
}
