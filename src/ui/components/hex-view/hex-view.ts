import KwHexView from './hex-view.component.ts';

export { KwHexView };
customElements.define('kw-hex-view', KwHexView);

declare global {
  interface HTMLElementTagNameMap {
    'kw-hex-view': KwHexView;
  }
}
