// Upload a layer from the page: file, kind and licence (title and survey date optional), with the upload's progress,
// then the import job's (features read), then the readiness check's; the new layer and its findings appear on the map.
// Sent with the session cookie and its anti-forgery token (uploads need a moderator or admin signed in); 401/403
// and problem+json are shown as sentences.

import { changeHeaders, delay, describeFailure, getJson, type ImportJob, type LayerInfo } from './api';
import { byId, formatNumber } from './dom';

export interface UploadActions {
  city(): string;
  imported(layer: LayerInfo, runCheck: boolean): Promise<void>;
}

export class UploadForm {
  private readonly form = byId<HTMLFormElement>('upload-form');
  private readonly progress = byId<HTMLProgressElement>('upload-progress');
  private readonly status = byId('upload-status');
  private maxBytes = Infinity;

  constructor(private readonly actions: UploadActions) {
    this.form.addEventListener('submit', (e) => { e.preventDefault(); void this.submit(); });
  }

  setLimit(maxUploadMb: number) {
    this.maxBytes = maxUploadMb * 1024 * 1024;
    byId('upload-limit').textContent = `up to ${formatNumber(maxUploadMb)} MB`;
  }

  private async submit() {
    const data = new FormData(this.form);
    const file = data.get('file');
    if (!(file instanceof File) || file.size === 0) return this.say('Choose a file to upload.', true);
    if (file.size > this.maxBytes) return this.say(`${file.name} is ${formatNumber(file.size / 1048576, 1)} MB; this server takes files ${byId('upload-limit').textContent}.`, true);
    for (const [key, value] of [...data.entries()]) if (value === '') data.delete(key);
    const runCheck = data.get('check') === 'on';
    data.delete('check');
    const button = byId<HTMLButtonElement>('upload-submit');
    button.disabled = true;
    try {
      const job = await this.send(this.actions.city(), data);
      const layerId = job.layerId ?? (await this.follow(job)).layerId;
      const layer = await getJson<LayerInfo>(`/api/layers/${layerId}`);
      this.say(`Imported ${layer.title}: ${formatNumber(layer.featureCount)} features${runCheck ? '; checking the city…' : '.'}`);
      await this.actions.imported(layer, runCheck);
      this.say(`Imported ${layer.title}: ${formatNumber(layer.featureCount)} features${runCheck ? ', checked' : ''}.`);
      this.form.reset();
    } catch (e) {
      this.say(e instanceof Error ? e.message : String(e), true);
    } finally {
      button.disabled = false;
      this.progress.hidden = true;
    }
  }

  /** POSTs the form with upload progress; answers the import job (202) or, from a server that imports at once, the layer (201). */
  private send(city: string, data: FormData): Promise<ImportJob> {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', `/api/cities/${encodeURIComponent(city)}/layers`);
      request.withCredentials = true; // same origin: the session cookie goes with it
      request.setRequestHeader('Prefer', 'respond-async');
      request.setRequestHeader('Accept', 'application/json');
      for (const [name, value] of Object.entries(changeHeaders())) request.setRequestHeader(name, value);
      this.progress.hidden = false;
      this.progress.removeAttribute('value');
      request.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        this.progress.max = e.total;
        this.progress.value = e.loaded;
        this.say(`Uploading: ${Math.round((100 * e.loaded) / e.total)} % of ${formatNumber(e.total / 1048576, 1)} MB`);
      };
      request.upload.onload = () => { this.progress.removeAttribute('value'); this.say('Uploaded; importing…'); };
      request.onerror = () => reject(new Error(describeFailure(0, '', 'upload the layer')));
      request.onload = () => {
        if (request.status === 202) resolve(JSON.parse(request.responseText) as ImportJob);
        else if (request.status === 201) {
          const layer = JSON.parse(request.responseText) as LayerInfo;
          resolve({ id: '', status: 'succeeded', featuresRead: layer.featureCount, layerId: layer.id, error: null });
        } else reject(new Error(describeFailure(request.status, request.responseText, 'upload layers')));
      };
      request.send(data);
    });
  }

  /** Polls the import job until it ends. */
  private async follow(job: ImportJob): Promise<ImportJob> {
    while (job.status === 'running') {
      this.say(`Importing: ${formatNumber(job.featuresRead)} features read…`);
      await delay(300);
      job = await getJson<ImportJob>(`/api/imports/${job.id}`);
    }
    if (job.status !== 'succeeded' || job.layerId === null) throw new Error(`The import ${job.status}: ${job.error ?? 'no reason given'}`);
    return job;
  }

  private say(text: string, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }
}
