import KwRunControls from './run-controls.component.ts';

export { KwRunControls };
customElements.define('kw-run-controls', KwRunControls);

declare global {
  interface HTMLElementTagNameMap {
    'kw-run-controls': KwRunControls;
  }
}
