/**
 * Error rendering per API family, in the wire shapes OpenStack clients parse:
 * Keystone `{"error":{code,title,message}}`, Neutron `{"NeutronError":{type,message,detail}}`,
 * Cinder/Nova/Glance `{"<faultName>":{message,code}}`. Every failure becomes a DomainError-like
 * `HttpFailure` first, so no path can answer with a shape a client does not expect.
 */
import { isDomainError } from '../../core/errors.js';

export type ApiFamily = 'identity' | 'network' | 'volume' | 'compute' | 'image' | 'plain';

export interface HttpFailure {
  status: number;
  /** OpenStack type name (Neutron `type`), e.g. `NetworkNotFound`. */
  type: string;
  message: string;
  detail?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** Cinder and Nova name the fault after the status. */
const FAULTS: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  406: 'notAcceptable',
  409: 'conflictingRequest',
  412: 'preconditionFailed',
  413: 'overLimit',
  415: 'badMediaType',
  500: 'computeFault',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function familyOf(url: string): ApiFamily {
  if (url.startsWith('/identity')) return 'identity';
  if (url.startsWith('/network')) return 'network';
  if (url.startsWith('/volume')) return 'volume';
  if (url.startsWith('/compute')) return 'compute';
  if (url.startsWith('/image')) return 'image';
  return 'plain';
}

export function titleOf(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}

export function renderFailure(family: ApiFamily, f: HttpFailure): unknown {
  switch (family) {
    case 'identity':
    case 'plain':
      return { error: { code: f.status, title: titleOf(f.status), message: f.message } };
    case 'network':
      return { NeutronError: { type: f.type, message: f.message, detail: f.detail ?? '' } };
    default: {
      const fault = FAULTS[f.status] ?? (f.status >= 500 ? 'computeFault' : 'badRequest');
      return { [fault]: { message: f.message, code: f.status } };
    }
  }
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: unknown;
}

/**
 * Maps anything thrown while serving a request to an HttpFailure. Returns `internal: true` for a bug
 * (which the caller logs with the request id), never leaking its message.
 */
export function toFailure(err: unknown): { failure: HttpFailure; internal: boolean } {
  if (isDomainError(err)) {
    return { failure: { status: err.status, type: err.type, message: err.message, detail: err.detail }, internal: false };
  }
  const e = (err ?? {}) as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { failure: { status: 400, type: 'HTTPBadRequest', message: 'Malformed request body: the body is not valid JSON.' }, internal: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { failure: { status: 413, type: 'HTTPRequestEntityTooLarge', message: 'Request body too large.' }, internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { failure: { status: 415, type: 'HTTPUnsupportedMediaType', message: 'Unsupported Content-Type: send application/json.' }, internal: false };
  }
  if (e.message && /JSON/.test(e.message) && e.statusCode === 400) {
    return { failure: { status: 400, type: 'HTTPBadRequest', message: 'Malformed request body: the body is not valid JSON.' }, internal: false };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { failure: { status: e.statusCode, type: 'HTTPBadRequest', message: e.message ?? titleOf(e.statusCode) }, internal: false };
  }
  return { failure: { status: 500, type: 'HTTPInternalServerError', message: 'The server has either erred or is incapable of performing the requested operation.' }, internal: true };
}
