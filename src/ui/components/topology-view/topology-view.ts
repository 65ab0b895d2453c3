import KwTopologyView from './topology-view.component.ts';

export { KwTopologyView };
customElements.define('kw-topology-view', KwTopologyView);

declare global {
  interface HTMLElementTagNameMap {
    'kw-topology-view': KwTopologyView;
  }
}
