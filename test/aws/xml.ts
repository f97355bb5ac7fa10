/**
 * The AWS Query protocol's XML: `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result>
 * <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></{Action}Response>` for
 * success and `<ErrorResponse xmlns=…><Error><Type/><Code/><Message/></Error><RequestId/>
 * </ErrorResponse>` for errors, each service with its own namespace.
 */
import type { AwsError } from './errors';

export type ServiceName = 'iam' | 'sts';

export const serviceNamespace: Record<ServiceName, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

export const serviceVersion: Record<ServiceName, string> = {
  iam: '2010-05-08',
  sts: '2011-06-15',
};

/** A fragment of already-escaped XML; build it only with the helpers below. */
export interface Xml {
  readonly xml: string;
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>value</name>` with the value escaped; `undefined` omits the element (AWS omits absent members). */
export function leaf(name: string, value: string | number | boolean | undefined): Xml {
  if (value === undefined) return { xml: '' };
  return { xml: `<${name}>${escapeXml(String(value))}</${name}>` };
}

export function node(name: string, ...children: Xml[]): Xml {
  return { xml: `<${name}>${children.map((c) => c.xml).join('')}</${name}>` };
}

/** A Query-protocol list: `<name><member>…</member>…</name>`. */
export function list(name: string, members: Xml[][]): Xml {
  return node(name, ...members.map((fields) => node('member', ...fields)));
}

export function successResponse(service: ServiceName, action: string, requestId: string, result: Xml[] | undefined): string {
  const resultXml = result === undefined ? '' : node(`${action}Result`, ...result).xml;
  return (
    `<${action}Response xmlns="${serviceNamespace[service]}">` +
    resultXml +
    node('ResponseMetadata', leaf('RequestId', requestId)).xml +
    `</${action}Response>\n`
  );
}

export function errorResponse(service: ServiceName, error: AwsError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${serviceNamespace[service]}">` +
    node('Error', leaf('Type', error.type), leaf('Code', error.code), leaf('Message', error.message)).xml +
    leaf('RequestId', requestId).xml +
    `</ErrorResponse>\n`
  );
}

/** AWS timestamps in Query responses: ISO-8601 UTC without milliseconds. */
export function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
