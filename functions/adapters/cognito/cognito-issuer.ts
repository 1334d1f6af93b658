// Apart from the token verifier so that code which only names the issuer (every Lambda's
// cold-start wiring) does not bundle jose.

/** The issuer (and JWKS base) of a Cognito user pool in AWS. */
export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}
