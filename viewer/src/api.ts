// The server's HTTP API as the viewer uses it: typed reads, and errors turned into sentences a person can act on.

export interface City {
  id: string;
  name: string;
  state: string | null;
  hasBoundary: boolean;
  layerCount: number;
  bbox: number[] | null;
}

export interface LayerInfo {
  id: number;
  city: string;
  name: string;
  kind: string;
  title: string;
  licence: string;
  sensitive: boolean;
  version: number;
  featureCount: number;
  publicFields: string[];
  bbox: number[] | null;
  editable: boolean;
}

export type Role = 'viewer' | 'contributor' | 'moderator' | 'admin';

const ROLES: Role[] = ['viewer', 'contributor', 'moderator', 'admin'];

/** Whether <role> may do what <needed> may. */
export const atLeast = (role: Role, needed: Role) => ROLES.indexOf(role) >= ROLES.indexOf(needed);

/** A GeoJSON Feature as the contribution API shows a state of one: with its version. */
export interface VersionedFeature {
  type: 'Feature';
  id: number | null;
  version: number;
  geometry: { type: string; coordinates: unknown } | null;
  properties: Record<string, unknown>;
}

export interface Contribution {
  id: number;
  layerId: number;
  city: string;
  layer: string;
  state: 'pending' | 'accepted' | 'rejected' | 'conflicted';
  author: string;
  organisation: string | null;
  licence: string;
  comment: string | null;
  reverts: number | null;
  createdAt: string;
  reviewer: string | null;
  reviewNote: string | null;
  changes: {
    ordinal: number;
    action: 'create' | 'modify' | 'delete';
    featureId: number | null;
    baseVersion: number | null;
    before: VersionedFeature | null;
    after: VersionedFeature | null;
    diff: { geometry: boolean; attributes: { field: string; before: unknown; after: unknown }[] };
  }[];
  findings: { change: number | null; rule: string; severity: string; detail: string }[];
}

/** A 409 answer's conflicting changes: the feature as the change began from it, as it is now, and as proposed. */
export interface VersionConflict {
  change: number;
  featureId: number;
  baseVersion: number;
  currentVersion: number | null;
  base: VersionedFeature | null;
  current: VersionedFeature | null;
  proposed: VersionedFeature | null;
}

export interface ViewerConfig {
  basemap: { url: string; attribution: string | null } | null;
  maxUploadMb: number;
}

export interface CheckRun {
  id: string;
  city: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  stepsDone: number;
  stepsTotal: number;
  currentStep: string | null;
  findingCount: number;
  error: string | null;
}

export interface ImportJob {
  id: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  featuresRead: number;
  layerId: number | null;
  error: string | null;
}

export interface RuleResult {
  rule: string;
  title: string;
  weight: number;
  applicable: boolean;
  note: string | null;
  offending: number;
  lost: number;
  findings: number;
}

export interface LayerQuality {
  layerId: number;
  layer: string;
  kind: string;
  title: string;
  gate: string | null;
  quality: number;
  rules: RuleResult[];
}

export interface ScoreItem {
  code: string;
  title: string;
  marks: number;
  maxMarks: number;
  basis: string;
  declared: boolean;
}

export interface ReadinessScore {
  city: string;
  runId: string;
  ruleSetVersion: string;
  evaluatedAt: string;
  srs20: number;
  srs100: number;
  parts: { code: string; title: string; marks: number; maxMarks: number; items: ScoreItem[] }[];
  layers: LayerQuality[];
  reportUrl: string;
}

export interface FindingProperties {
  rule: string;
  severity: string;
  layer: string;
  layerId: number;
  featureId: number | null;
  feature: string | null;
  detail: string;
}

/** A request the server refused or could not answer, with the sentence to show (and its problem+json, if any). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly problem: Record<string, unknown> | null = null) {
    super(message);
  }
}

const parseProblem = (body: string) => {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/** RFC 9457 problem+json (title, detail), or what a status means to a person when the body says nothing. */
export function describeFailure(status: number, body: string, action: string): string {
  if (status === 401) return `You need to sign in to ${action} (HTTP 401).`;
  if (status === 403) return `Your account may not ${action} here (HTTP 403).`;
  try {
    const problem = JSON.parse(body) as { title?: string; detail?: string };
    if (problem.title || problem.detail) return [problem.title, problem.detail].filter(Boolean).join(': ');
  } catch {
    // not JSON: fall through to the status
  }
  if (status === 0) return `Could not ${action}: the server did not answer.`;
  return `Could not ${action} (HTTP ${status}).`;
}

const credentials: RequestCredentials = 'same-origin';

let antiforgery: { headerName: string; token: string } | null = null;

/** The signed-in session's anti-forgery token (null: signed out), sent with every change the page makes. */
export function setAntiforgery(token: { headerName: string; token: string } | null) {
  antiforgery = token;
}

/** The headers every unsafe request carries: the anti-forgery token of the cookie session. */
export const changeHeaders = (): Record<string, string> => (antiforgery ? { [antiforgery.headerName]: antiforgery.token } : {});

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { credentials, headers: { Accept: 'application/json' } });
  if (!response.ok) throw new ApiError(response.status, describeFailure(response.status, await response.text(), `read ${url}`));
  return (await response.json()) as T;
}

/** POSTs with the anti-forgery token; answers the JSON reply (null for 204) and its Location. */
async function post<T>(url: string, body: BodyInit, contentType: string | null, action: string): Promise<{ value: T; location: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    credentials,
    headers: { ...(contentType ? { 'Content-Type': contentType } : {}), Accept: 'application/json', ...changeHeaders() },
    body,
  });
  if (!response.ok) {
    const text = await response.text();
    throw new ApiError(response.status, describeFailure(response.status, text, action), parseProblem(text));
  }
  return { value: (response.status === 204 ? null : await response.json()) as T, location: response.headers.get('Location') };
}

export const postJson = <T>(url: string, body: unknown, action: string) => post<T>(url, JSON.stringify(body), 'application/json', action);

/** A multipart form (its boundary set by the browser). */
export const postForm = <T>(url: string, form: FormData, action: string) => post<T>(url, form, null, action);

export const collectionId = (layer: LayerInfo) => `${layer.city}__${layer.name}`;

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
