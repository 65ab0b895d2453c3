import KwPacketDetail from './packet-detail.component.ts';

export { KwPacketDetail };
customElements.define('kw-packet-detail', KwPacketDetail);

declare global {
  interface HTMLElementTagNameMap {
    'kw-packet-detail': KwPacketDetail;
  }
}
