import KwExpectations from './expectations.component.ts';

export { KwExpectations };
customElements.define('kw-expectations', KwExpectations);

declare global {
  interface HTMLElementTagNameMap {
    'kw-expectations': KwExpectations;
  }
}
