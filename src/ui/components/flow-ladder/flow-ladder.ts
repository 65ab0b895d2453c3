import KwFlowLadder from './flow-ladder.component.ts';

export { KwFlowLadder };
customElements.define('kw-flow-ladder', KwFlowLadder);

declare global {
  interface HTMLElementTagNameMap {
    'kw-flow-ladder': KwFlowLadder;
  }
}
