import KwAppShell from './app-shell.component.ts';

export { KwAppShell };
customElements.define('kw-app-shell', KwAppShell);

declare global {
  interface HTMLElementTagNameMap {
    'kw-app-shell': KwAppShell;
  }
}
