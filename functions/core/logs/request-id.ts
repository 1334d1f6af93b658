/**
 * What a usage record's request id can look like (API Gateway's UUIDs, the local server's):
 * anything else cannot exist, and a longer one would exceed DynamoDB's key size.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
