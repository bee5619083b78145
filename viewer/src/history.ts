// A feature's history, in its popup: every version, newest first (who, when, which contribution); a contribution that
// made one can be reverted by a contributor, which proposes undoing it as a new contribution for a moderator to review.

import { getJson, postJson, type Contribution } from './api';
import { h } from './dom';

interface History {
  versions: { version: number; deleted: boolean; contribution: number | null; by: string | null; organisation: string | null; at: string | null }[];
}

/** The history list of one feature; <mayRevert> adds a Revert button to versions a contribution made. */
export async function historyList(layerId: number, featureId: number, mayRevert: boolean): Promise<HTMLElement> {
  const { versions } = await getJson<History>(`/api/layers/${layerId}/features/${featureId}/history`);
  const status = h('p', { role: 'status', class: 'history-status' });
  const revert = async (contribution: number, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const { value } = await postJson<Contribution>(`/api/contributions/${contribution}/revert`, { comment: `Revert contribution ${contribution}` }, `revert contribution ${contribution}`);
      status.textContent = `Proposed as contribution ${value.id} (${value.state}): a moderator will review it.`;
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : String(e);
      button.disabled = false;
    }
  };
  return h('div', { class: 'history' },
    h('ol', {}, ...versions.map((v) => h('li', {},
      `v${v.version}${v.deleted ? ' (deleted)' : ''} · ${v.by ?? 'unknown'}${v.organisation ? ` (${v.organisation})` : ''}`,
      v.at && ` · ${new Date(v.at).toLocaleString('en-IN')}`,
      v.contribution !== null ? ` · contribution #${v.contribution}` : ' · as imported',
      mayRevert && v.contribution !== null && h('button', {
        type: 'button', class: 'link', onclick: (e: Event) => void revert(v.contribution!, e.currentTarget as HTMLButtonElement),
      }, `Revert #${v.contribution}`)))),
    status);
}
