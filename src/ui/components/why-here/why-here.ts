import KwWhyHere from './why-here.component.ts';

export { KwWhyHere };
export type { WhyStep } from './why-here.component.ts';
customElements.define('kw-why-here', KwWhyHere);

declare global {
  interface HTMLElementTagNameMap {
    'kw-why-here': KwWhyHere;
  }
}
