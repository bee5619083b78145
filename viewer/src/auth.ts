// Signing in and out: the account panel's form (name, password), then who is signed in (role, organisation). The
// session is the server's HttpOnly cookie; the anti-forgery token that comes with it is handed to api.ts, which sends
// it with every change the page makes.

import { ApiError, atLeast, getJson, postJson, setAntiforgery, type Role } from './api';
import { byId, clear, h } from './dom';

export interface Me {
  authenticated: boolean;
  role: Role;
  name?: string;
  displayName?: string;
  organisation?: string | null;
  antiforgery?: { headerName: string; token: string };
}

const ANONYMOUS: Me = { authenticated: false, role: 'viewer' };


export class Session {
  private me: Me = ANONYMOUS;
  private readonly panel = byId('account-body');
  private readonly tool = byId('tool-account');

  constructor(private readonly changed: () => void) {}

  /** Signed in with at least <role>. */
  may(role: Role) {
    return this.me.authenticated && atLeast(this.me.role, role);
  }

  async load() {
    this.set(await getJson<Me>('/api/auth/me'));
  }

  private set(me: Me) {
    this.me = me;
    setAntiforgery(me.antiforgery ?? null);
    this.tool.textContent = me.authenticated ? (me.displayName || me.name || 'Account') : 'Sign in';
    if (me.authenticated) this.renderSignedIn(); else this.renderForm();
    this.changed();
  }

  private renderForm() {
    const status = h('p', { id: 'login-status', role: 'status', 'aria-live': 'polite' });
    const form = h('form', { id: 'login-form', class: 'upload-form' },
      h('label', { for: 'login-name' }, 'Name'),
      h('input', { id: 'login-name', name: 'name', autocomplete: 'username', required: true }),
      h('label', { for: 'login-password' }, 'Password'),
      h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
      h('button', { type: 'submit', id: 'login-submit' }, 'Sign in'),
      status);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      void this.signIn(String(data.get('name')), String(data.get('password')), status);
    });
    clear(this.panel, form);
  }

  private renderSignedIn() {
    const me = this.me;
    clear(this.panel,
      h('p', { id: 'account-who' }, 'Signed in as ', h('strong', {}, me.displayName || me.name || ''),
        ` (${me.role}${me.organisation ? `, ${me.organisation}` : ''})`),
      h('button', { type: 'button', id: 'logout', onclick: () => void this.signOut() }, 'Sign out'));
  }

  private async signIn(name: string, password: string, status: HTMLElement) {
    status.textContent = 'Signing in…';
    status.classList.remove('error');
    try {
      this.set((await postJson<Me>('/api/auth/login', { name, password }, 'sign in')).value);
    } catch (e) {
      const detail = e instanceof ApiError && e.status === 401 ? String(e.problem?.detail ?? 'the name or the password is wrong.') : null;
      status.textContent = detail ? `Not signed in: ${detail}` : e instanceof Error ? e.message : String(e);
      status.classList.add('error');
    }
  }

  private async signOut() {
    try {
      await postJson('/api/auth/logout', {}, 'sign out');
      this.set(ANONYMOUS);
    } catch (e) {
      this.panel.append(h('p', { class: 'error', role: 'status' }, e instanceof Error ? e.message : String(e)));
    }
  }
}
