import KwPacketList from './packet-list.component.ts';

export { KwPacketList };
customElements.define('kw-packet-list', KwPacketList);

declare global {
  interface HTMLElementTagNameMap {
    'kw-packet-list': KwPacketList;
  }
}
