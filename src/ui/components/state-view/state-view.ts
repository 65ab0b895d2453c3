import KwStateView from './state-view.component.ts';

export { KwStateView };
customElements.define('kw-state-view', KwStateView);

declare global {
  interface HTMLElementTagNameMap {
    'kw-state-view': KwStateView;
  }
}
